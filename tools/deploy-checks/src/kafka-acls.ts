// Each service's Kafka ACLs, derived from its row of KAFKA_ACCESS: Read on the topics it consumes
// and Write on their dead letters, Write on the topics it produces, Describe on all of these, and
// its consumer-group prefix. The one derivation every grant is held to: the KafkaUsers of k8s/base
// (k8s.spec.ts), the compose broker's access file (compose-kafka-access.ts renders it) and the
// users `npm start` creates on the local broker for a run (tools/run/src/local-kafka-users.ts),
// whose topics and groups carry the run's KAFKA_TOPIC_PREFIX.
import { ALL_TOPICS, deadLetterTopicName } from '@chat/contracts';
import { KAFKA_ACCESS, type Service } from './service-access';

/** Kafka's names for the operations granted here. */
export type KafkaOperation = 'Read' | 'Write' | 'Describe' | 'Delete';

/** One grant, in Strimzi's KafkaUser shape (also what Kafka's AclBinding holds, for one user). */
export interface KafkaAcl {
  resource: { type: 'topic' | 'group'; name: string; patternType: 'literal' | 'prefix' };
  operations: KafkaOperation[];
}

const OPERATION_ORDER: readonly KafkaOperation[] = ['Read', 'Write', 'Describe', 'Delete'];

export const SERVICES = Object.keys(KAFKA_ACCESS) as Service[];

/**
 * The ACLs of one service's user: topics by name, then its group prefix; operations in a fixed order.
 * `prefix`: the deployment's KAFKA_TOPIC_PREFIX, which libs/kafka puts before every topic and group.
 */
export function kafkaAcls(service: Service, prefix = ''): KafkaAcl[] {
  const access = KAFKA_ACCESS[service];
  const topics = new Map<string, Set<KafkaOperation>>();
  const allow = (topic: string, ...operations: KafkaOperation[]): void => {
    const granted = topics.get(topic) ?? new Set<KafkaOperation>(['Describe']);
    for (const operation of operations) granted.add(operation);
    topics.set(topic, granted);
  };
  for (const topic of access.consumes) {
    allow(topic, 'Read');
    allow(deadLetterTopicName(topic), 'Write');
  }
  for (const topic of access.produces) {
    allow(topic, 'Write');
    allow(deadLetterTopicName(topic));
  }
  const acls: KafkaAcl[] = [...topics]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, operations]) => ({ resource: { type: 'topic', name: `${prefix}${name}`, patternType: 'literal' }, operations: ordered(operations) }));
  if (access.group) {
    const [group, operations] = access.group;
    acls.push({ resource: { type: 'group', name: `${prefix}${group}`, patternType: 'prefix' }, operations: ordered(new Set(operations as KafkaOperation[])) });
  }
  return acls;
}

/** Every topic of the contracts and its dead letters, with its partition count, by name (after `prefix`). */
export function allTopics(prefix = ''): { name: string; partitions: number }[] {
  return ALL_TOPICS.flatMap((t) => [
    { name: `${prefix}${t.name}`, partitions: t.partitions },
    { name: `${prefix}${deadLetterTopicName(t.name)}`, partitions: t.partitions },
  ]).sort((a, b) => a.name.localeCompare(b.name));
}

function ordered(operations: ReadonlySet<KafkaOperation>): KafkaOperation[] {
  for (const operation of operations) if (!OPERATION_ORDER.includes(operation)) throw new Error(`unknown Kafka operation ${operation}`);
  return OPERATION_ORDER.filter((operation) => operations.has(operation));
}
