// Session lifetimes on open sockets: expiry without `auth:refresh`, and revocations from auth
// (chat.auth.session-revoked.v1, read by every gateway instance). See session-watch.ts.
import { Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { SessionRevokedTopic } from '@chat/contracts';
import { BusConsumers } from '@chat/kafka';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { SessionWatch } from './session-watch';

@Injectable()
class SessionsLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Sessions');
  private readonly revocations: BroadcastSubscription<typeof SessionRevokedTopic>;

  constructor(
    private readonly sockets: SocketServer,
    private readonly watch: SessionWatch,
    consumers: BusConsumers,
  ) {
    this.revocations = new BroadcastSubscription(
      {
        name: 'sessions',
        topics: [SessionRevokedTopic],
        handler: (record) => {
          const closed = this.watch.revoke(record.value);
          if (closed > 0) this.logger.log({ userId: record.value.userId, reason: record.value.reason, closed }, 'closed the sockets of revoked sessions');
          return Promise.resolve();
        },
      },
      consumers,
    );
  }

  onModuleInit(): void {
    this.sockets.onConnection((socket) => this.watch.watch(socket));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.revocations.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.revocations.stop();
  }
}

@Module({
  imports: [SocketModule],
  providers: [SessionWatch, SessionsLifecycle],
})
export class SessionsModule {}
