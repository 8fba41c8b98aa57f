// Prints how long one argon2id hash takes on this machine for a few cost settings, to choose
// AUTH_ARGON2_MEMORY_KIB / AUTH_ARGON2_TIME_COST (aim: 50-100 ms per hash).
//   npx node -r @swc-node/register apps/auth/scripts/hash-cost.ts
import { performance } from 'node:perf_hooks';
import * as argon2 from 'argon2';

const SETTINGS: readonly [memoryKib: number, timeCost: number][] = [
  [19_456, 2],
  [32_768, 2],
  [32_768, 3],
  [47_104, 1],
  [47_104, 2],
  [65_536, 2],
];
const RUNS = 7;

async function median(memoryCost: number, timeCost: number): Promise<number> {
  const options = { type: argon2.argon2id, memoryCost, timeCost, parallelism: 1 } as const;
  await argon2.hash('warm-up password', options);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await argon2.hash(`correct horse battery ${i}`, options);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  process.stdout.write(`argon2id, parallelism 1, median of ${RUNS} hashes\n`);
  for (const [memoryKib, timeCost] of SETTINGS) {
    process.stdout.write(`  m=${String(memoryKib).padStart(6)} KiB  t=${timeCost}  ${(await median(memoryKib, timeCost)).toFixed(1).padStart(7)} ms\n`);
  }
}

void main();
