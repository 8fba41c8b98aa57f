// @chat/redis: one ioredis client per service, with its own key prefix and a readiness check.
export * from './redis.module';
