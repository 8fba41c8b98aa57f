// Shared Jest settings: SWC transform with decorator metadata (NestJS needs it) and the
// tsconfig path aliases of libs/.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

/** The `@chat/*` aliases of tsconfig.base.json, as Jest module mappings. */
function aliases() {
  const { paths } = JSON.parse(fs.readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8')).compilerOptions;
  return Object.fromEntries(Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]));
}

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: aliases(),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.infra/'],
};
