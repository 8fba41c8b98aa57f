import { layout } from './population';

describe('layout', () => {
  it('puts every W users in a workspace and draws each channel\'s members from its own workspace', () => {
    const plan = layout({ users: 2_000, workspaceSize: 100, channels: 200, perUser: 1 });

    expect(plan.workspaces).toBe(20);
    expect(plan.userWorkspace[0]).toBe(0);
    expect(plan.userWorkspace[1_999]).toBe(19);
    const members = new Map<number, number[]>();
    plan.memberships.forEach((channels, u) => {
      for (const c of channels) {
        expect(plan.channelWorkspace[c]).toBe(plan.userWorkspace[u]);
        members.set(c, [...(members.get(c) ?? []), u]);
      }
    });
    // 200 channels of 10 members each, 10 channels per workspace.
    expect(members.size).toBe(200);
    expect([...members.values()].every((list) => list.length === 10)).toBe(true);
    expect(plan.channelWorkspace.filter((w) => w === 7)).toHaveLength(10);
  });

  it('gives k distinct channels per user and copes with a smaller last workspace', () => {
    const plan = layout({ users: 25, workspaceSize: 10, channels: 7, perUser: 2 });

    expect(plan.workspaces).toBe(3);
    expect(plan.userWorkspace[24]).toBe(2);
    for (const [u, channels] of plan.memberships.entries()) {
      expect(new Set(channels).size).toBe(2);
      for (const c of channels) expect(plan.channelWorkspace[c]).toBe(plan.userWorkspace[u]);
    }
  });

  it('refuses fewer channels than workspaces', () => {
    expect(() => layout({ users: 300, workspaceSize: 100, channels: 2, perUser: 1 })).toThrow(/at least as many channels/);
  });
});
