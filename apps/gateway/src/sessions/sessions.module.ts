// Session lifetimes on open sockets: expiry without `auth:refresh`, and revocations from auth
// (chat.auth.session-revoked.v1, read by every gateway instance). See session-watch.ts.
import { Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { SessionRevokedTopic } from '@chat/contracts';
import { BusConsumers } from '@chat/kafka';
import { APP_CONFIG, MetricsService } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { RevokedSessions } from '../socket/revoked-sessions';
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
  providers: [
    {
      provide: SessionWatch,
      inject: [APP_CONFIG, RevokedSessions, SocketServer, MetricsService],
      useFactory: (config: GatewayConfig, revoked: RevokedSessions, sockets: SocketServer, metrics: MetricsService) => {
        const closed = metrics.counter('gateway_sessions_closed_total', 'Sockets closed because their token expired or their session was revoked', ['reason']);
        return new SessionWatch({
          graceMs: config.SOCKET_TOKEN_GRACE_MS,
          revoked,
          socketsOf: (userId) => sockets.localSocketsOf(userId),
          observe: (reason) => closed.inc({ reason }),
        });
      },
    },
    SessionsLifecycle,
  ],
})
export class SessionsModule {}
