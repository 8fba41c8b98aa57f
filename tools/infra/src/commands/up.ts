import { mkdir } from 'node:fs/promises';
import { S3_ACCESS_KEY_ID, S3_REGION, S3_SECRET_ACCESS_KEY } from '../endpoints';
import { javaEngines } from '../engines';
import { upJavaEngine } from '../engines/java-engine';
import { type BusChoice, selectEngines } from '../engines/selection';
import { ensureSystemService, postgresService, rabbitmqService, redisService } from '../engines/system-services';
import { type EngineResult, type JavaEngine } from '../engines/types';
import { type InfraLayout, displayPath } from '../layout';
import { TurnQueue } from '../mutex';
import { isPortOpen } from '../process';
import { type Reporter, formatDuration, renderTable } from '../report';
import { waitUntil } from '../wait';

export interface CommandContext {
  /** `--cluster`: three Kafka and three Cassandra nodes instead of one of each. */
  readonly cluster: boolean;
  readonly layout: InfraLayout;
  readonly env: NodeJS.ProcessEnv;
  readonly reporter: Reporter;
  readonly write: (text: string) => void;
  /** Which broker(s) to bring up: both by default (what `npm test` needs). */
  readonly bus?: BusChoice;
}

/** Brings every engine up (or verifies it is up) in parallel; exit code 1 if any failed. */
export async function runUp(context: CommandContext): Promise<number> {
  const start = Date.now();
  const { layout, env, reporter, write } = context;
  const selected = selectEngines(context.bus ?? 'both', javaEngines(context.cluster, env));
  const engines = selected.java;
  await Promise.all([layout.logsDir, layout.pidsDir, layout.confDir].map((dir) => mkdir(dir, { recursive: true })));
  write(`infra up${context.cluster ? ' --cluster' : ''}: ${engines.map((e) => e.title).join(', ')} + system PostgreSQL, Redis${selected.rabbitmq ? ' and RabbitMQ' : ''}; state in ${displayPath(layout.root)}`);

  // Maven runs one at a time (shared ~/.m2), in engine order; each light engine starts as soon as
  // its jars are there, heavy ones (Cassandra) once the light ones answer, and one after the other
  // (a cluster's second node joins through the first, the seed).
  const mavenQueue = new TurnQueue();
  const lightRuns: Promise<EngineResult>[] = [];
  let previousHeavy: Promise<EngineResult> | undefined;
  const javaRuns = engines.map((engine) => {
    const mavenTurn = mavenQueue.reserve();
    const after = !engine.startsLast
      ? undefined
      : previousHeavy
        ? { launchAfter: previousHeavy, launchAfterCapMs: engine.readyTimeoutMs }
        : { launchAfter: lightEnginesBooted(engines, lightRuns) };
    const run = upJavaEngine(engine, { layout, reporter, mavenTurn, env, ...after });
    if (!engine.startsLast) lightRuns.push(run);
    else previousHeavy = run;
    return run;
  });
  const results = await Promise.all([
    ...javaRuns,
    ensureSystemService(postgresService(env), reporter),
    ensureSystemService(redisService(env), reporter),
    ...(selected.rabbitmq ? [ensureSystemService(rabbitmqService(env), reporter)] : []),
  ]);

  write('');
  write(summaryTable(results));
  write('');
  write(`S3 credentials: access key "${S3_ACCESS_KEY_ID}", secret "${S3_SECRET_ACCESS_KEY}", region ${S3_REGION}, path-style.`);
  const flag = context.cluster ? ' -- --cluster' : '';
  write(`Logs: ${displayPath(layout.logsDir)}/<engine>.log   Stop: npm run infra:down${flag}   Check: npm run infra:status${flag}`);
  const failed = results.filter((r) => r.status === 'failed');
  write(
    failed.length === 0
      ? `infra up: all ${results.length} engines answer (total ${formatDuration(Date.now() - start)})`
      : `infra up: FAILED for ${failed.map((r) => r.name).join(', ')} (total ${formatDuration(Date.now() - start)})`,
  );
  return failed.length === 0 ? 0 : 1;
}

/**
 * Settles once the light engines are done (up or failed) or all listen on their client port:
 * the CPU-heavy part of their start (JVM boot) is over, the rest is mostly waiting.
 */
function lightEnginesBooted(engines: readonly JavaEngine[], runs: readonly Promise<EngineResult>[]): Promise<unknown> {
  const ports = engines.filter((e) => !e.startsLast).map((e) => e.ports[0]?.port ?? 0);
  const listening = waitUntil({
    timeoutMs: 8_000, // upJavaEngine caps the wait at 8 s too (e.g. Kafka loading many partitions)
    intervalMs: 250,
    attempt: async () => {
      const open = await Promise.all(ports.map((port) => isPortOpen(port)));
      if (!open.every(Boolean)) throw new Error('not listening yet');
    },
  });
  return Promise.race([Promise.allSettled([...runs]), listening]);
}

const STATUS_LABEL: Record<EngineResult['status'], string> = {
  started: 'started',
  'already-up': 'already up',
  external: 'up (not ours)',
  system: 'up (system)',
  failed: 'FAILED',
};

export function summaryTable(results: readonly EngineResult[]): string {
  return renderTable(
    ['engine', 'status', 'endpoint', 'pid', 'time', 'detail'],
    results.map((r) => [
      r.name,
      STATUS_LABEL[r.status],
      r.endpoint,
      r.pid === undefined ? '-' : String(r.pid),
      formatDuration(r.elapsedMs),
      firstLine(r.detail, 90),
    ]),
  );
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
