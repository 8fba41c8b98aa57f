import { javaEngines } from '../engines';
import { statusJavaEngine } from '../engines/java-engine';
import { postgresService, redisService, statusSystemService } from '../engines/system-services';
import { type EngineStatus } from '../engines/types';
import { renderTable } from '../report';
import { type CommandContext } from './up';

/** One line per engine; exit code 0 only when everything answers. */
export async function runStatus(context: CommandContext): Promise<number> {
  const statuses = await Promise.all([
    ...javaEngines(context.cluster, context.env).map((engine) => statusJavaEngine(engine, context.layout)),
    statusSystemService(postgresService(context.env)),
    statusSystemService(redisService(context.env)),
  ]);
  context.write(statusTable(statuses));
  return statuses.every((s) => s.state.startsWith('up')) ? 0 : 1;
}

export function statusTable(statuses: readonly EngineStatus[]): string {
  return renderTable(
    ['engine', 'state', 'pid', 'endpoint', 'detail'],
    statuses.map((s) => [s.name, s.state, s.pid === undefined ? '-' : String(s.pid), s.endpoint, s.detail]),
  );
}
