// A TCP proxy in front of each engine, so a failure test can cut one engine off from its own
// processes while the engine keeps serving everyone else; Kafka through its failure-test listener,
// which advertises the proxy's port.
import { KAFKA_FAULT_PORT, KAFKA_FAULT_PROXY_PORT } from '@chat/infra';
import { freePort, TcpProxy } from '@chat/testing';
import { type TestSystemOptions } from './test-system';

export type Engine = 'postgres' | 'redis' | 'cassandra' | 's3' | 'kafka';

export type EngineProxies = Record<Engine, TcpProxy>;

/** Opens a proxy per engine, all passing traffic. */
export async function openEngineProxies(): Promise<EngineProxies> {
  const proxies: EngineProxies = {
    postgres: new TcpProxy(await freePort(), '127.0.0.1', 5432),
    redis: new TcpProxy(await freePort(), '127.0.0.1', 6379),
    cassandra: new TcpProxy(await freePort(), '127.0.0.1', 9042),
    s3: new TcpProxy(await freePort(), '127.0.0.1', 9000),
    kafka: new TcpProxy(KAFKA_FAULT_PROXY_PORT, '127.0.0.1', KAFKA_FAULT_PORT),
  };
  await Promise.all(Object.values(proxies).map((proxy) => proxy.up()));
  return proxies;
}

/** TestSystem's `engines`: every engine reached through its proxy. */
export function throughProxies(proxies: EngineProxies): NonNullable<TestSystemOptions['engines']> {
  const at = (engine: Engine): string => `127.0.0.1:${proxies[engine].port}`;
  return { postgres: at('postgres'), redis: at('redis'), cassandra: at('cassandra'), s3: at('s3'), kafka: at('kafka') };
}
