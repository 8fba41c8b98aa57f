import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { defineTopic } from '@chat/contracts';
import { ReadinessRegistry } from '@chat/service-kit';
import { z } from 'zod';
import { InvalidPayloadError, KafkaAdmin, KafkaConsumerFactory, KafkaModule, KafkaProducer } from './index';
import { TestReadinessModule } from './testing/kafka-test.env';

const CONFIG = Symbol('CONFIG');
const Topic = defineTopic({ name: 'test.module.event.v1', partitions: 1, key: 'id', schema: z.object({ id: z.string() }), description: 'module spec' });

describe('KafkaModule', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('builds its options from injected configuration and registers the kafka readiness check', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestReadinessModule,
        KafkaModule.forRootAsync({
          imports: [{ module: class ConfigModule {}, providers: [{ provide: CONFIG, useValue: { brokers: '127.0.0.1:1' } }], exports: [CONFIG], global: false }],
          inject: [CONFIG],
          useFactory: (config: { brokers: string }) => ({ brokers: [config.brokers], clientId: 'module-spec' }),
        }),
      ],
    }).compile();
    await moduleRef.init();
    expect(moduleRef.get(KafkaProducer)).toBeInstanceOf(KafkaProducer);
    expect(moduleRef.get(KafkaConsumerFactory)).toBeInstanceOf(KafkaConsumerFactory);
    expect(moduleRef.get(KafkaAdmin)).toBeInstanceOf(KafkaAdmin);
    expect(moduleRef.get(ReadinessRegistry).list().map((c) => c.name)).toEqual(['kafka']);
    // Validation happens before any connection is attempted.
    await expect(moduleRef.get(KafkaProducer).publish(Topic, 'k', { id: 1 } as never)).rejects.toBeInstanceOf(InvalidPayloadError);
    await moduleRef.close();
  });

  it('refuses options without brokers', () => {
    expect(() => KafkaModule.forRoot({ brokers: [], clientId: 'x' })).toThrow(/brokers/);
  });
});
