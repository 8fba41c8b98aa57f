// The kafkajs clients of one process: the main one (producer, consumers, admin) and a separate
// one for readiness probes, which must fail fast instead of retrying for half a minute.
import { Inject, Injectable } from '@nestjs/common';
import { Kafka, type SASLOptions } from 'kafkajs';
import { KAFKA_OPTIONS, type KafkaSasl, type ResolvedKafkaOptions } from './kafka.options';
import { KAFKA_LOG_LEVEL, nestLogCreator } from './kafka-log.adapter';
import { noDelaySocketFactory } from './kafka-socket';
// Before any client exists: every kafkajs connection otherwise spins a 1 ms timer (see the file).
import './kafkajs-request-queue.fix';

@Injectable()
export class KafkaClients {
  readonly main: Kafka;
  readonly probe: Kafka;

  constructor(@Inject(KAFKA_OPTIONS) options: ResolvedKafkaOptions) {
    const common = {
      brokers: options.brokers,
      ...(options.sasl ? { sasl: saslOptions(options.sasl) } : {}),
      ssl: options.ssl,
      logLevel: KAFKA_LOG_LEVEL,
      logCreator: nestLogCreator,
      socketFactory: noDelaySocketFactory,
    };
    this.main = new Kafka({
      ...common,
      clientId: options.clientId,
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
    });
    this.probe = new Kafka({
      ...common,
      clientId: `${options.clientId}-readiness`,
      connectionTimeout: options.readinessTimeoutMs,
      requestTimeout: options.readinessTimeoutMs,
      retry: { retries: 0 },
    });
  }
}

function saslOptions(sasl: KafkaSasl): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
