// `npm run bench -- <fanout|ramp|idle-sockets|history> [--name value ...]` (see tools/bench/README.md).
import { runBench } from './bench';
import { parseOptions } from './options';
import { assertProjectNode } from '@chat/infra/node-version';

assertProjectNode();

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // A run that hangs still ends: the deadline kills it (children die with their IPC channel).
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: the run passed its ${options.deadline} s deadline; stopping\n`);
    process.exit(3);
  }, options.deadline * 1000);
  deadline.unref();
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stderr.write('bench: interrupted; the services are being stopped (again to force)\n');
    });
  }
  const { report, files } = await runBench(options);
  process.stdout.write(`\n== ${report.scenario} ==\n`);
  for (const line of report.summary) process.stdout.write(`${line}\n`);
  for (const target of report.targets) {
    process.stdout.write(`- ${target.target}: ${target.measured} (goal ${target.goal})${target.ratio ? `, ${target.ratio} the relay` : ''}${target.met === undefined ? '' : target.met ? ' ✓' : ' ✗'}\n`);
  }
  process.stdout.write(`report: ${files.markdown}\n        ${files.json}${files.chart ? `\n        ${files.chart}` : ''}\n`);
  return report.clean === false ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
