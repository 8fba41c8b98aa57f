import { type AppName, runtimeManifest } from './bundle';

describe('runtimeManifest (dist/package.json of an image)', () => {
  const root = {
    dependencies: {
      '@nestjs/core': '^11.2.10',
      '@nestjs/platform-express': '^11.2.10',
      argon2: '^0.45.1',
      sharp: '0.35.5',
      '@aws-sdk/client-s3': '3.1175.0',
    },
  };
  const uses = (entries: [string, AppName[]][]) => new Map(entries.map(([name, apps]) => [name, new Set(apps)]));

  it("lists only the packages the built apps require, at the root's ranges, sorted", () => {
    const manifest = runtimeManifest(root, uses([['argon2', ['auth']]]), ['auth']);
    expect(manifest).toEqual({ name: 'chat-auth', private: true, description: 'runtime dependencies of auth', dependencies: { argon2: '^0.45.1' } });
  });

  it('adds what a required package loads by name: the HTTP adapter NestFactory loads', () => {
    const manifest = runtimeManifest(root, uses([['sharp', ['files']], ['@nestjs/core', ['files']], ['@aws-sdk/client-s3', ['files']]]), ['files']);
    expect(Object.keys(manifest.dependencies)).toEqual(['@aws-sdk/client-s3', '@nestjs/core', '@nestjs/platform-express', 'sharp']);
  });

  it('refuses a package that is not a production dependency', () => {
    expect(() => runtimeManifest(root, uses([['left-pad', ['presence']]]), ['presence'])).toThrow('left-pad is not a production dependency');
  });
});
