// gateway: the one client origin. Socket.IO for clients, REST proxied to the owning services,
// client commands turned into Kafka commands and Kafka events fanned out to every device.
import { type Server as HttpServer } from 'node:http';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { ChannelCommandTopic, CommandReplyTopic, PresenceChangedTopic, PresenceSignalTopic, SessionRevokedTopic, WorkspaceMembershipTopic } from '@chat/contracts';
import { AuthClientModule } from '@chat/auth-client';
import { BusModule } from '@chat/kafka';
import { RedisModule } from '@chat/redis';
import { APP_CONFIG, redisCredentials, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { CommandsModule } from './commands/commands.module';
import { CommonModule } from './common/common.module';
import { type GatewayConfig } from './config';
import { DeliveryModule } from './delivery/delivery.module';
import { DELIVERY_TOPICS } from './delivery/delivery.service';
import { MessagingApiModule } from './messaging-api/messaging-api.module';
import { GatewayMetricsModule } from './metrics/gateway-metrics.module';
import { GatewayMetrics } from './metrics/gateway.metrics';
import { installFrontDoor } from './proxy/front-door';
import { ProxyModule } from './proxy/proxy.module';
import { SessionsModule } from './sessions/sessions.module';
import { RestProxy } from './proxy/rest-proxy';
import { chainFrontDoors, WebClient } from './proxy/web-client';
import { GatewayIoAdapter } from './socket/gateway-io.adapter';
import { WorkspaceRoomsModule } from './workspaces/workspace-rooms.module';

/** What the gateway does while Redis is unreachable (shown by /health/ready). */
export const REDIS_DEGRADES = 'typing is off; handshake and file-creation limits are counted per gateway instance';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        // Redis backs only typing and the rarer, cross-instance rate limits (rate-limit/): without it
        // the gateway keeps serving, typing off and those limits per instance, and stays ready.
        RedisModule.forRoot({ url: config.REDIS_URL, ...redisCredentials(config), keyPrefix: 'gateway:', degrades: REDIS_DEGRADES }),
        // Created when missing: the broadcast consumers cannot subscribe to absent topics.
        BusModule.forService(identity.instanceId, config, [ChannelCommandTopic, CommandReplyTopic, ...DELIVERY_TOPICS, PresenceSignalTopic, PresenceChangedTopic, SessionRevokedTopic, WorkspaceMembershipTopic]),
        AuthClientModule.forRoot({ jwksUrl: config.JWKS_URL }),
        CommonModule,
        GatewayMetricsModule,
        MessagingApiModule,
        ProxyModule,
        CommandsModule,
        DeliveryModule,
        SessionsModule,
        WorkspaceRoomsModule,
      ],
    };
  }
}

/**
 * bootstrapService's `configure` hook: the REST proxy goes in front of Express, and Nest's
 * WebSocket gateway (ClientEventsGateway) gets the gateway's Socket.IO adapter; Nest creates the
 * Socket.IO server on the same HTTP server when the application initializes, before it listens
 * (so Socket.IO sits in front of the front door and hands it every request outside /socket.io).
 */
export function attachGateway(app: INestApplication): void {
  const httpServer = app.getHttpServer() as HttpServer;
  const { WEB_ROOT, SOCKET_MAX_FRAME_BYTES } = app.get<GatewayConfig>(APP_CONFIG);
  installFrontDoor(httpServer, WEB_ROOT ? chainFrontDoors(app.get(RestProxy), new WebClient(WEB_ROOT)) : app.get(RestProxy));
  const metrics = app.get(GatewayMetrics);
  app.useWebSocketAdapter(
    new GatewayIoAdapter(app, {
      maxFrameBytes: SOCKET_MAX_FRAME_BYTES,
      observer: {
        eventIn: (event) => metrics.eventsIn.inc({ event }),
        acked: (event, outcome, seconds) => metrics.ackLatency.observe({ event, outcome }, seconds),
      },
    }),
  );
}
