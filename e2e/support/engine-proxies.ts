// A TCP proxy in front of each engine, so a failure test can cut one engine off from its own
// processes while the engine keeps serving everyone else; Kafka through its failure-test listener,
// which advertises the proxy's port. RabbitMQ is the machine's shared broker: cutting its proxy is
// how a test "kills" it (every connection of the run drops, as at a broker crash, while its streams
// and queues stay, as they would on a restarted node).
import { KAFKA_FAULT_PORT, KAFKA_FAULT_PROXY_PORT, rabbitmqUrl } from '@chat/infra';
import { freePort, TcpProxy } from '@chat/testing';
import { type TestSystemOptions } from './test-system';

export type Engine = 'postgres' | 'redis' | 'cassandra' | 's3' | 'kafka' | 'rabbitmq';

export type EngineProxies = Record<Engine, TcpProxy>;

/** Opens a proxy per engine, all passing traffic. */
export async function openEngineProxies(): Promise<EngineProxies> {
  const proxies: EngineProxies = {
    postgres: new TcpProxy(await freePort(), '127.0.0.1', 5432),
    redis: new TcpProxy(await freePort(), '127.0.0.1', 6379),
    cassandra: new TcpProxy(await freePort(), '127.0.0.1', 9042),
    s3: new TcpProxy(await freePort(), '127.0.0.1', 9000),
    kafka: new TcpProxy(KAFKA_FAULT_PROXY_PORT, '127.0.0.1', KAFKA_FAULT_PORT),
    rabbitmq: await rabbitmqProxy(),
  };
  await Promise.all(Object.values(proxies).map((proxy) => proxy.up()));
  return proxies;
}

/** A proxy to RabbitMQ alone (passing traffic once `up()`), for a spec that cuts only the broker. */
export async function rabbitmqProxy(): Promise<TcpProxy> {
  const broker = new URL(rabbitmqUrl(process.env));
  return new TcpProxy(await freePort(), broker.hostname, Number(broker.port || 5672));
}

/** TestSystem's `engines`: every engine reached through its proxy. */
export function throughProxies(proxies: EngineProxies): NonNullable<TestSystemOptions['engines']> {
  const at = (engine: Engine): string => `127.0.0.1:${proxies[engine].port}`;
  return { postgres: at('postgres'), redis: at('redis'), cassandra: at('cassandra'), s3: at('s3'), kafka: at('kafka'), rabbitmq: at('rabbitmq') };
}
