import { Kafka, logLevel } from 'kafkajs';

/**
 * Deletes every topic and consumer group whose name starts with `prefix` (a KAFKA_TOPIC_PREFIX).
 * For tests and local tooling that ran a whole system under a prefix; never for production names.
 */
export async function dropPrefixedTopicsAndGroups(brokers: readonly string[], prefix: string): Promise<{ topics: number; groups: number }> {
  if (!/^[a-z0-9][a-z0-9-]{0,30}\.$/.test(prefix)) throw new Error(`refusing to drop topics with prefix "${prefix}"`);
  const admin = new Kafka({ clientId: `drop-${prefix}`, brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined); // groups with live members refuse
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    return { topics: topics.length, groups: groups.length };
  } finally {
    await admin.disconnect();
  }
}
