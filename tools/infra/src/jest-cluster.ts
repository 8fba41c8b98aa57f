// Jest globalSetup/globalTeardown of the failover tier (jest.config.js, project `failover`): the
// local three-node cluster (`infra:up -- --cluster`) is brought up first, the same way a person
// does it, and stopped at the end only if this run started it (CHAT_KEEP_CLUSTER=1 keeps it).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './layout';

const CLI = ['-r', '@swc-node/register', path.join('tools', 'infra', 'src', 'cli.ts')];
let startedHere = false;

function cli(command: 'up' | 'down' | 'status', quiet = false): Promise<number> {
  const child = spawn(process.execPath, [...CLI, command, '--cluster'], { cwd: REPO_ROOT, stdio: quiet ? 'ignore' : 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export async function setup(): Promise<void> {
  const started = Date.now();
  startedHere = (await cli('status', true)) !== 0;
  if ((await cli('up')) !== 0) {
    // Jest runs no globalTeardown after a failed globalSetup: the nodes that did start would stay.
    if (startedHere && process.env['CHAT_KEEP_CLUSTER'] !== '1') await cli('down');
    throw new Error('the local cluster did not come up (npm run infra:up -- --cluster; see above)');
  }
  console.log(`failover tier: cluster ${startedHere ? 'started' : 'already up'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export async function teardown(): Promise<void> {
  if (!startedHere || process.env['CHAT_KEEP_CLUSTER'] === '1') return;
  await cli('down');
}
