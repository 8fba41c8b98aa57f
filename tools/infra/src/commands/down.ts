import { JAVA_ENGINES, javaEngines } from '../engines';
import { downJavaEngine, statusJavaEngine } from '../engines/java-engine';
import { renderTable } from '../report';
import { type CommandContext } from './up';

/** Stops the engines this checkout started (pid files); never touches PostgreSQL/Redis. */
export async function runDown(context: CommandContext): Promise<number> {
  let engines = javaEngines(context.cluster, context.env);
  if (context.cluster) {
    // S3Proxy serves both modes: left running while this checkout's single Kafka or Cassandra runs.
    const singles = await Promise.all(JAVA_ENGINES.filter((e) => e.name !== 's3').map((e) => statusJavaEngine(e, context.layout)));
    if (singles.some((s) => s.pid !== undefined)) engines = engines.filter((e) => e.name !== 's3');
  }
  const results = await Promise.all(engines.map((engine) => downJavaEngine(engine, context.layout, context.reporter)));
  context.write('');
  context.write(
    renderTable(
      ['engine', 'result'],
      [...results.map((r) => [r.name, r.outcome]), ['postgres', 'system service, left running'], ['redis', 'system service, left running']],
    ),
  );
  return results.some((r) => r.outcome.includes('still alive')) ? 1 : 0;
}
