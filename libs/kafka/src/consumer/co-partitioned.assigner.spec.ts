import { coPartitionedAssignment } from './co-partitioned.assigner';

describe('coPartitionedAssignment', () => {
  const topics = [
    { topic: 'commands', partitions: [0, 1, 2, 3, 4] },
    { topic: 'sequenced', partitions: [0, 1, 2, 3, 4] },
  ];

  it('gives partition p of every topic to the same member', () => {
    const assignment = coPartitionedAssignment(['m-b', 'm-a', 'm-c'], topics);
    for (const [, owned] of assignment) expect(owned.commands).toEqual(owned.sequenced);
    expect(assignment.get('m-a')?.commands).toEqual([0, 3]);
    expect(assignment.get('m-b')?.commands).toEqual([1, 4]);
    expect(assignment.get('m-c')?.commands).toEqual([2]);
  });

  it('assigns every partition exactly once', () => {
    const assignment = coPartitionedAssignment(['x', 'y'], topics);
    const owned = [...assignment.values()].flatMap((a) => a.commands ?? []).sort();
    expect(owned).toEqual([0, 1, 2, 3, 4]);
  });
});
