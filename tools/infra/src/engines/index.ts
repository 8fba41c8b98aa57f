import { clusterTopology } from '../cluster';
import { cassandraEngine } from './cassandra';
import { clusterEngines } from './cluster-nodes';
import { kafkaEngine } from './kafka';
import { s3Engine } from './s3';
import { type JavaEngine } from './types';

/**
 * Kafka and S3Proxy boot in ~4 s each, Cassandra in ~13 s (alone, warm, 2 cores). Booting all
 * JVMs at once makes them fight for the CPU, so Cassandra (startsLast) is launched once the light
 * ones listen (at most 8 s later). Maven resolutions (first run) happen in this order too.
 */
export const JAVA_ENGINES: readonly JavaEngine[] = [kafkaEngine, s3Engine, cassandraEngine];

/**
 * The engines of a mode: the single nodes above, or (`--cluster`) three Kafka and three Cassandra
 * nodes (../cluster.ts) with the same S3Proxy.
 */
export function javaEngines(cluster: boolean, env: NodeJS.ProcessEnv = process.env): readonly JavaEngine[] {
  if (!cluster) return JAVA_ENGINES;
  const nodes = clusterEngines(clusterTopology(env));
  return [...nodes.filter((e) => e.artifact === 'kafka'), s3Engine, ...nodes.filter((e) => e.artifact === 'cassandra')];
}
