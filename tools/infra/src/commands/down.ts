import { JAVA_ENGINES } from '../engines';
import { downJavaEngine } from '../engines/java-engine';
import { renderTable } from '../report';
import { type CommandContext } from './up';

/** Stops the engines this checkout started (pid files); never touches PostgreSQL/Redis. */
export async function runDown(context: CommandContext): Promise<number> {
  const results = await Promise.all(JAVA_ENGINES.map((engine) => downJavaEngine(engine, context.layout, context.reporter)));
  context.write('');
  context.write(
    renderTable(
      ['engine', 'result'],
      [...results.map((r) => [r.name, r.outcome]), ['postgres', 'system service, left running'], ['redis', 'system service, left running']],
    ),
  );
  return results.some((r) => r.outcome.includes('still alive')) ? 1 : 0;
}
