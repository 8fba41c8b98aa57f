// npm run build: the production bundle of every app (or of the apps named as arguments) in dist/.
// `--out-dir <dir>` writes it elsewhere: `nx build <app>` gives each app its own folder
// (dist/<app>/apps/<app>/main.js), so Nx can cache and restore one app's output alone.
import { join } from 'node:path';
import { APPS, type AppName, buildBundle } from './bundle';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..');
  const args = process.argv.slice(2);
  const flag = args.indexOf('--out-dir');
  const outDir = flag >= 0 ? args[flag + 1] : undefined;
  if (flag >= 0 && !outDir) throw new Error('--out-dir needs a directory');
  const requested = flag >= 0 ? args.filter((_, i) => i !== flag && i !== flag + 1) : args;
  const unknown = requested.filter((app) => !(APPS as readonly string[]).includes(app));
  if (unknown.length > 0) throw new Error(`unknown app(s) ${unknown.join(', ')}; known: ${APPS.join(', ')}`);
  const started = performance.now();
  const report = await buildBundle({ root, apps: requested.length > 0 ? (requested as AppName[]) : APPS, ...(outDir ? { outDir } : {}) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`build: ${report.files} files → ${report.outDir} in ${seconds} s\n`);
  for (const [app, entry] of Object.entries(report.entries)) process.stdout.write(`  ${app.padEnd(10)} node ${entry.slice(root.length + 1)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
