// Which engines `up` and `status` cover: everything `npm test` needs by default (both buses), or
// only one bus's broker (`npm start -- --bus rabbitmq` needs no Kafka, `--bus kafka` no RabbitMQ).
import { JAVA_ENGINES } from './index';
import { type JavaEngine } from './types';

export type BusChoice = 'kafka' | 'rabbitmq' | 'both';

export interface EngineSelection {
  readonly java: readonly JavaEngine[];
  readonly rabbitmq: boolean;
}

export function selectEngines(bus: BusChoice, all: readonly JavaEngine[] = JAVA_ENGINES): EngineSelection {
  return { java: bus === 'rabbitmq' ? all.filter((engine) => !engine.name.startsWith('kafka')) : all, rabbitmq: bus !== 'kafka' };
}

/** `--bus kafka|rabbitmq` among a command's arguments (absent: both). */
export function parseBusChoice(args: readonly string[]): BusChoice {
  const inline = args.find((arg) => arg.startsWith('--bus='))?.slice('--bus='.length);
  const index = args.indexOf('--bus');
  const value = inline ?? (index >= 0 ? args[index + 1] : 'both');
  if (value !== 'kafka' && value !== 'rabbitmq' && value !== 'both') throw new Error(`--bus must be kafka, rabbitmq or both (got ${String(value)})`);
  return value;
}
