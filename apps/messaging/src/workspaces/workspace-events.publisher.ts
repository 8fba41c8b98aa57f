// chat.workspace.membership.v1 (key user id): presence scopes presence by it, gateways take the
// user's sockets out of the workspace room on `left`.
import { Injectable } from '@nestjs/common';
import { WorkspaceMembershipTopic } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';

@Injectable()
export class WorkspaceEventsPublisher {
  constructor(private readonly producer: BusProducer) {}

  async membershipChanged(workspaceId: string, userId: string, change: 'joined' | 'left', at: Date): Promise<void> {
    await this.producer.publish(WorkspaceMembershipTopic, userId, { workspaceId, userId, change, changedAt: at.toISOString() });
  }
}
