import { javaEngines } from '../engines';
import { statusJavaEngine } from '../engines/java-engine';
import { selectEngines } from '../engines/selection';
import { postgresService, rabbitmqService, redisService, statusSystemService } from '../engines/system-services';
import { type EngineStatus } from '../engines/types';
import { renderTable } from '../report';
import { type CommandContext } from './up';

/** One line per engine; exit code 0 only when everything answers. */
export async function runStatus(context: CommandContext): Promise<number> {
  const selected = selectEngines(context.bus ?? 'both', javaEngines(context.cluster, context.env));
  const statuses = await Promise.all([
    ...selected.java.map((engine) => statusJavaEngine(engine, context.layout)),
    statusSystemService(postgresService(context.env)),
    statusSystemService(redisService(context.env)),
    ...(selected.rabbitmq ? [statusSystemService(rabbitmqService(context.env))] : []),
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
