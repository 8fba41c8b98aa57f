import { cassandraEngine } from './cassandra';
import { kafkaEngine } from './kafka';
import { s3Engine } from './s3';
import { type JavaEngine } from './types';

/**
 * Kafka and S3Proxy boot in ~4 s each, Cassandra in ~13 s (alone, warm, 2 cores). Booting all
 * JVMs at once makes them fight for the CPU, so Cassandra (startsLast) is launched once the light
 * ones listen (at most 8 s later). Maven resolutions (first run) happen in this order too.
 */
export const JAVA_ENGINES: readonly JavaEngine[] = [kafkaEngine, s3Engine, cassandraEngine];
