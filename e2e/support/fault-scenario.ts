// The population of the send-path fault tests: users who are members of every channel of one
// workspace, each with one TimelineDevice per gateway, and fresh channels per fault so that each
// fault's counts stand alone.
import { uniqueName, waitFor } from '@chat/testing';
import { ChatUser } from './chat-client';
import { type LoadUser, TimelineDevice } from './send-load';
import { type TestSystem } from './test-system';

export class FaultScenario {
  private constructor(
    readonly owner: ChatUser,
    readonly users: LoadUser[],
    readonly workspaceId: string,
    private readonly system: TestSystem,
  ) {}

  /** `userCount` users (the first owns the workspace), each connected once to every gateway. */
  static async start(system: TestSystem, userCount: number, gateways: number): Promise<FaultScenario> {
    const origin = system.gatewayUrl(0);
    const owner = await ChatUser.register(origin, 'owner');
    const { workspace } = await owner.createWorkspace(uniqueName('faults'));
    const members = [owner];
    for (let i = 1; i < userCount; i++) {
      const user = await ChatUser.register(origin, `user${i}`);
      await owner.addToWorkspace(workspace.id, user);
      members.push(user);
    }
    const users: LoadUser[] = [];
    for (const user of members) {
      const devices: TimelineDevice[] = [];
      for (let g = 0; g < gateways; g++) {
        const device = new TimelineDevice(`${user.username}@gw${g}`, user, system.gatewayUrl(g));
        await device.connect();
        devices.push(device);
      }
      users.push({ user, devices });
    }
    return new FaultScenario(owner, users, workspace.id, system);
  }

  /** A member's device on gateway `g` (with gatewayMessaging 'spread', its messaging upstream is messaging-g). */
  deviceOn(g: number): TimelineDevice {
    const device = this.devices.find((d) => d.gatewayUrl === this.system.gatewayUrl(g));
    if (!device) throw new Error(`no device on gateway ${g}`);
    return device;
  }

  get devices(): TimelineDevice[] {
    return this.users.flatMap((u) => u.devices);
  }

  /** `count` new channels with every user a member, followed by every device from seq 0. */
  async newChannels(count: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const channel = await this.owner.createChannel(this.workspaceId, { name: uniqueName(`${prefix}-${i}`) });
      for (const { user } of this.users.slice(1)) await this.owner.addToChannel(channel.id, user);
      ids.push(channel.id);
    }
    for (const device of this.devices) device.follow(ids);
    await waitFor('every device to join the new channels', () => this.devices.every((d) => ids.every((id) => d.joined.has(id))), 30_000, 100);
    return ids;
  }

  close(): void {
    for (const device of this.devices) device.close();
  }
}
