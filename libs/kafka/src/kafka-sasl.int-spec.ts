// A service's own Kafka user reaches the wire: with KAFKA_SASL_USERNAME set, every client of the
// module (admin, producer, readiness probe) starts with a SASL handshake. The test brokers'
// PLAINTEXT listener does not speak SASL, so it refuses that handshake; without credentials the
// same module connects. (The local single node's SASL listener: tools/run/src/local-kafka-users.int-spec.ts.)
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ReadinessRegistry } from '@chat/service-kit';
import { KafkaModule } from './index';
import { TEST_BROKERS, TestReadinessModule } from './testing/kafka-test.env';

/** The module's readiness check: '' when the broker answered, else its error. */
async function readinessError(credentials: { KAFKA_SASL_USERNAME?: string; KAFKA_SASL_PASSWORD?: string }): Promise<string> {
  const moduleRef = await Test.createTestingModule({
    imports: [TestReadinessModule, KafkaModule.forService('sasl-spec', { KAFKA_BROKERS: TEST_BROKERS, KAFKA_REPLICATION_FACTOR: 1, ...credentials })],
  }).compile();
  await moduleRef.init();
  try {
    const [check, ...others] = moduleRef.get(ReadinessRegistry).list();
    if (!check || check.name !== 'kafka' || others.length > 0) throw new Error('expected exactly the kafka readiness check');
    try {
      await check.check();
      return '';
    } catch (error) {
      return String(error instanceof Error ? error.message : error);
    }
  } finally {
    await moduleRef.close();
  }
}

describe('KafkaModule.forService with KAFKA_SASL_USERNAME', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('connects without credentials, and authenticates with SASL when they are set', async () => {
    await expect(readinessError({})).resolves.toBe('');
    await expect(readinessError({ KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 'not-the-local-broker' })).resolves.toMatch(/SASL|sasl|authentication|mechanism/);
  });
});
