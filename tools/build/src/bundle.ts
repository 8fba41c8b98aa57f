// The production bundle: every app and the lib files it really uses, compiled by SWC (decorator
// metadata from .swcrc) into dist/, with the `@chat/*` aliases of tsconfig.base.json rewritten to
// relative requires, and each app's migrations/ copied beside its compiled app.module.js.
//
// Layout: `<project>/src/<rest>.ts` → `dist/<project>/<rest>.js`, so apps/auth/src/main.ts is
// dist/apps/auth/main.js and libs/kafka/src/index.ts is dist/libs/kafka/index.js. The files are
// found by walking the compiled requires from each app's main.ts (type-only imports are erased by
// then), so specs, test helpers and unused libs never reach the bundle.
import { builtinModules } from 'node:module';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { transformFile, type Options } from '@swc/core';

export const APPS = ['gateway', 'auth', 'messaging', 'presence', 'files'] as const;
export type AppName = (typeof APPS)[number];

export interface BundleOptions {
  /** Repository root (where package.json, .swcrc and tsconfig.base.json are). */
  root: string;
  /** Output directory, absolute or relative to root; emptied first. Default `dist`. */
  outDir?: string;
  apps?: readonly AppName[];
}

export interface BundleReport {
  outDir: string;
  /** Compiled source files (each once, however many apps share it). */
  files: number;
  /** npm packages the bundle requires, with the apps requiring each. */
  packages: Map<string, Set<AppName>>;
  entries: Record<AppName, string>;
}

const REQUIRE = /\brequire\((["'])([^"']+)\1\)/g;
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export async function buildBundle(options: BundleOptions): Promise<BundleReport> {
  const root = resolve(options.root);
  const outDir = resolve(root, options.outDir ?? 'dist');
  const apps = options.apps ?? APPS;
  const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8')) as Options & { $schema?: string };
  delete swcrc.$schema;
  const aliases = await readAliases(root);
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));

  await rm(outDir, { recursive: true, force: true });
  const compiled = new Map<string, Promise<string[]>>();
  const packages = new Map<string, Set<AppName>>();
  const entries = {} as Record<AppName, string>;

  const outputOf = (source: string): string => {
    const rel = relative(root, source).split(sep);
    const srcAt = rel.indexOf('src');
    if (srcAt !== 2) throw new Error(`${relative(root, source)} is not inside <dir>/<project>/src/`);
    return join(outDir, ...rel.slice(0, 2), ...rel.slice(3)).replace(/\.ts$/, '.js');
  };

  /** Compiles one file (once) and returns the local source files it requires. */
  const compile = (source: string): Promise<string[]> => {
    let pending = compiled.get(source);
    if (!pending) {
      pending = compileFile(source);
      compiled.set(source, pending);
    }
    return pending;
  };

  const compileFile = async (source: string): Promise<string[]> => {
    const target = outputOf(source);
    const output = await transformFile(source, {
      ...swcrc,
      swcrc: false,
      configFile: false,
      filename: source,
      sourceMaps: true,
      sourceFileName: relative(dirname(target), source),
    });
    // Resolve every require of the compiled code first (async), then rewrite them in one pass.
    const targets = new Map<string, string | undefined>();
    for (const [, , specifier = ''] of output.code.matchAll(REQUIRE)) {
      if (targets.has(specifier)) continue;
      if (specifier.startsWith('.')) targets.set(specifier, await resolveLocal(dirname(source), specifier));
      else if (aliases.has(specifier)) targets.set(specifier, aliases.get(specifier));
      else if (specifier.startsWith('@chat/')) throw new Error(`${relative(root, source)}: unknown alias ${specifier}`);
      else targets.set(specifier, undefined);
    }
    const code = output.code.replace(REQUIRE, (whole, quote: string, specifier: string) => {
      const local = targets.get(specifier);
      if (local === undefined) return whole;
      let rel = relative(dirname(target), outputOf(local)).split(sep).join('/').replace(/\.js$/, '');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `require(${quote}${rel}${quote})`;
    });
    await mkdir(dirname(target), { recursive: true });
    const mapName = `${target.slice(dirname(target).length + 1)}.map`;
    await writeFile(target, `${code}\n//# sourceMappingURL=${mapName}\n`);
    if (output.map) await writeFile(`${target}.map`, output.map);
    const found = [...targets.entries()];
    externals.set(source, found.filter(([, local]) => local === undefined).map(([specifier]) => specifier));
    return found.flatMap(([, local]) => (local === undefined ? [] : [local]));
  };
  const externals = new Map<string, string[]>();

  const resolveLocal = async (fromDir: string, specifier: string): Promise<string> => {
    const base = join(fromDir, specifier);
    for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
      if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
    }
    throw new Error(`cannot resolve ${specifier} from ${relative(root, fromDir)}`);
  };

  for (const app of apps) {
    const main = join(root, 'apps', app, 'src', 'main.ts');
    const seen = new Set<string>();
    let frontier = [main];
    while (frontier.length > 0) {
      frontier.forEach((file) => seen.add(file));
      const next = (await Promise.all(frontier.map(compile))).flat();
      frontier = [...new Set(next)].filter((file) => !seen.has(file));
    }
    for (const file of seen) {
      for (const specifier of externals.get(file) ?? []) {
        if (BUILTINS.has(specifier)) continue;
        const name = packageName(specifier);
        if (!dependencies.has(name)) {
          throw new Error(`${relative(root, file)} requires ${name}, which is not a production dependency in package.json`);
        }
        if (!packages.has(name)) packages.set(name, new Set());
        packages.get(name)?.add(app);
      }
    }
    const migrations = join(root, 'apps', app, 'src', 'migrations');
    if (await stat(migrations).then((s) => s.isDirectory(), () => false)) {
      await cp(migrations, join(outDir, 'apps', app, 'migrations'), { recursive: true });
    }
    entries[app] = join(outDir, 'apps', app, 'main.js');
  }
  const manifest = runtimeManifest(pkg, packages, apps);
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, files: compiled.size, packages, entries };
}

/**
 * Packages that a required package loads by name at run time, so no `require()` of the bundle
 * names them: NestFactory loads the HTTP adapter (an optional peer of @nestjs/core, which npm
 * does not install by itself). Required peers (rxjs, pino, pino-http) npm installs anyway.
 */
const LOADED_BY_NAME: Readonly<Record<string, readonly string[]>> = {
  '@nestjs/core': ['@nestjs/platform-express'],
};

export interface RuntimeManifest {
  name: string;
  private: true;
  description: string;
  dependencies: Record<string, string>;
}

/**
 * `<outDir>/package.json`: only the production dependencies the built apps require, at the root
 * package.json's ranges. An image installs exactly these (`npm install --omit=dev` beside the
 * root lock file, which keeps the locked versions), so the auth image gets argon2 but not sharp
 * and the files image the AWS SDK but not argon2.
 */
export function runtimeManifest(
  root: { dependencies?: Record<string, string> },
  packages: ReadonlyMap<string, ReadonlySet<AppName>>,
  apps: readonly AppName[],
): RuntimeManifest {
  const dependencies: Record<string, string> = {};
  const names = new Set(packages.keys());
  for (const [user, loaded] of Object.entries(LOADED_BY_NAME)) if (names.has(user)) loaded.forEach((name) => names.add(name));
  for (const name of [...names].sort()) {
    const range = root.dependencies?.[name];
    if (range === undefined) throw new Error(`${name} is not a production dependency in package.json`);
    dependencies[name] = range;
  }
  return { name: `chat-${apps.join('-')}`, private: true, description: `runtime dependencies of ${apps.join(', ')}`, dependencies };
}

/** `@chat/<name>` → absolute source file, from tsconfig.base.json `paths`. */
async function readAliases(root: string): Promise<Map<string, string>> {
  const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { baseUrl?: string; paths?: Record<string, string[]> };
  };
  const base = join(root, tsconfig.compilerOptions.baseUrl ?? '.');
  const aliases = new Map<string, string>();
  for (const [alias, targets] of Object.entries(tsconfig.compilerOptions.paths ?? {})) {
    if (alias.includes('*') || !targets[0]) throw new Error(`unsupported path mapping ${alias}`);
    aliases.set(alias, join(base, targets[0]));
  }
  return aliases;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}
