import { hostname } from 'node:os';
import { type ServiceName } from '@chat/contracts';

export interface ServiceIdentity {
  service: ServiceName;
  /** Unique per running process: Kafka client ids, reply routing and log lines carry it. */
  instanceId: string;
}

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export function serviceIdentity(service: ServiceName, configured?: string): ServiceIdentity {
  return { service, instanceId: configured ?? `${service}-${hostname()}-${process.pid}` };
}
