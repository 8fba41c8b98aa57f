// Test-only wiring for the integration specs of this library (not exported): the local brokers,
// a readiness registry standing in for ServiceKitModule's, and a raw kafkajs client for
// producing bytes the library itself refuses to produce and for inspecting/cleaning the cluster.
import { Global, Module } from '@nestjs/common';
import { ReadinessRegistry } from '@chat/service-kit';
import { Kafka, logLevel } from 'kafkajs';

/** `npm run infra:up` brokers unless KAFKA_BROKERS says otherwise. */
export const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
export class TestReadinessModule {}

export function rawKafka(clientId: string): Kafka {
  return new Kafka({ brokers: TEST_BROKERS, clientId, logLevel: logLevel.NOTHING });
}
