import { z } from 'zod';
import { BaseConfigSchema, KafkaEnv, PortSchema, postgresEnv, RedisEnv } from '@chat/service-kit';

export const AuthConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3001),
  ...KafkaEnv,
  ...postgresEnv('chat_auth'),
  ...RedisEnv,
});
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
