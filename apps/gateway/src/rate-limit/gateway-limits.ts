// Every budget of the gateway, built once from its config: which actions are counted per instance
// (in memory) and which across instances (Redis), per user or per client address. The README's
// "Rate limits" explains the choice; rule-limiter.ts how a budget is counted.
import { Inject, Injectable } from '@nestjs/common';
import { type ClientEventName } from '@chat/contracts';
import { REDIS } from '@chat/redis';
import { APP_CONFIG } from '@chat/service-kit';
import type Redis from 'ioredis';
import { type GatewayConfig } from '../config';
import { type Limiter, RuleLimiter } from './rule-limiter';

/** The budgets of socket events, each shared by the events that map to it. */
export type SocketBudget = 'send' | 'change' | 'read' | 'sync' | 'event';

export const EVENT_BUDGETS: Readonly<Record<ClientEventName, SocketBudget>> = {
  'message:send': 'send',
  'message:edit': 'change',
  'message:delete': 'change',
  'reaction:add': 'change',
  'reaction:remove': 'change',
  read: 'read',
  sync: 'sync',
  typing: 'event',
  'presence:away': 'event',
  'presence:active': 'event',
  'auth:refresh': 'event',
};

type LimitsConfig = Pick<
  GatewayConfig,
  | 'KAFKA_TOPIC_PREFIX'
  | 'SEND_RATE_LIMIT'
  | 'CHANGE_RATE_LIMIT'
  | 'READ_RATE_LIMIT'
  | 'SYNC_RATE_LIMIT'
  | 'SOCKET_EVENT_RATE_LIMIT'
  | 'HANDSHAKE_RATE_LIMIT_PER_ADDRESS'
  | 'HANDSHAKE_RATE_LIMIT_PER_USER'
  | 'REST_RATE_LIMIT_PER_ADDRESS'
  | 'REST_RATE_LIMIT_PER_USER'
  | 'SEARCH_RATE_LIMIT'
  | 'FILE_CREATE_RATE_LIMIT'
>;

@Injectable()
export class GatewayLimits {
  /** Per user, per instance. */
  readonly socketEvents: Readonly<Record<SocketBudget, Limiter>>;
  /** Shared, per client address and per user. */
  readonly handshakeByAddress: Limiter;
  readonly handshakeByUser: Limiter;
  /** Per instance, per client address and per user. */
  readonly restByAddress: Limiter;
  readonly restByUser: Limiter;
  readonly search: Limiter;
  /** Shared, per user. */
  readonly fileCreate: Limiter;

  constructor(@Inject(APP_CONFIG) config: LimitsConfig, @Inject(REDIS) redis: Redis) {
    this.socketEvents = {
      send: RuleLimiter.local('send', config.SEND_RATE_LIMIT),
      change: RuleLimiter.local('change', config.CHANGE_RATE_LIMIT),
      read: RuleLimiter.local('read', config.READ_RATE_LIMIT),
      sync: RuleLimiter.local('sync', config.SYNC_RATE_LIMIT),
      event: RuleLimiter.local('event', config.SOCKET_EVENT_RATE_LIMIT),
    };
    // Redis keys carry the Kafka topic prefix: systems sharing a Redis server (tests, `--run`)
    // never count against each other.
    const shared = (name: string, rules: GatewayConfig['SEND_RATE_LIMIT']) => RuleLimiter.shared(`${config.KAFKA_TOPIC_PREFIX ?? ''}${name}`, rules, redis);
    this.handshakeByAddress = shared('handshake-address', config.HANDSHAKE_RATE_LIMIT_PER_ADDRESS);
    this.handshakeByUser = shared('handshake-user', config.HANDSHAKE_RATE_LIMIT_PER_USER);
    this.restByAddress = RuleLimiter.local('rest-address', config.REST_RATE_LIMIT_PER_ADDRESS);
    this.restByUser = RuleLimiter.local('rest-user', config.REST_RATE_LIMIT_PER_USER);
    this.search = RuleLimiter.local('search', config.SEARCH_RATE_LIMIT);
    this.fileCreate = shared('file-create', config.FILE_CREATE_RATE_LIMIT);
  }
}
