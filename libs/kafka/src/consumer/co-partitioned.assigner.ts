// A kafkajs partition assigner that gives partition p of every subscribed topic to the same
// member: sorted members, partition p to member p mod n. The sequencer and the store of a
// partition (chat.channel.command.v1 p and chat.message.sequenced.v1 p) then always live in one
// process, so the owner of a partition can wait in-process for its store to pass its epoch
// marker. The topics must have the same number of partitions.
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITIONED_ASSIGNER_NAME = 'CoPartitionedAssigner';

/** partition -> member index, for sorted member ids (exported for its spec). */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  topics: readonly { topic: string; partitions: readonly number[] }[],
): Map<string, Record<string, number[]>> {
  const sorted = [...memberIds].sort();
  const assignment = new Map<string, Record<string, number[]>>(sorted.map((id) => [id, {}]));
  if (sorted.length === 0) return assignment;
  for (const { topic, partitions } of topics) {
    for (const partition of partitions) {
      const member = assignment.get(sorted[partition % sorted.length]) as Record<string, number[]>;
      (member[topic] ??= []).push(partition);
    }
  }
  return assignment;
}

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 0,
  assign({ members, topics }) {
    const layout = topics.map((topic) => ({
      topic,
      partitions: cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId),
    }));
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      layout,
    );
    return Promise.resolve(
      [...assignment].map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topicPartitions, userData: Buffer.alloc(0) }),
      })),
    );
  },
  protocol({ topics }) {
    return { name: CO_PARTITIONED_ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
