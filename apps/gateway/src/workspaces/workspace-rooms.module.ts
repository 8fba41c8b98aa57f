// Workspace rooms (`ws:<workspaceId>`, where presence changes go) follow workspace membership:
// every gateway instance reads chat.workspace.membership.v1 and moves the user's local sockets
// into the room on `joined` and out of it on `left`, so a user who left or was removed stops
// receiving the workspace's presence. (Its channels' rooms are left on the channel `left` events
// messaging publishes first, handled by delivery.)
import { Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { WorkspaceMembershipTopic } from '@chat/contracts';
import { BusConsumers } from '@chat/kafka';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';

@Injectable()
class WorkspaceRooms implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscription: BroadcastSubscription<typeof WorkspaceMembershipTopic>;

  constructor(sockets: SocketServer, consumers: BusConsumers, metrics: GatewayMetrics) {
    this.subscription = new BroadcastSubscription(
      {
        name: 'workspaces',
        topics: [WorkspaceMembershipTopic],
        handler: (record) => {
          const { userId, workspaceId, change } = record.value;
          if (change === 'joined') sockets.joinWorkspace(userId, workspaceId);
          else sockets.leaveWorkspace(userId, workspaceId);
          metrics.kafkaEvents.inc({ topic: record.topic, outcome: 'delivered' });
          return Promise.resolve();
        },
      },
      consumers,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription.stop();
  }
}

@Module({ imports: [SocketModule], providers: [WorkspaceRooms] })
export class WorkspaceRoomsModule {}
