import { type z } from 'zod';
import { BaseConfigSchema, jwksEnv, KafkaEnv, PortSchema, RedisEnv } from '@chat/service-kit';

export const PresenceConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3003),
  ...KafkaEnv,
  ...RedisEnv,
  ...jwksEnv(),
});
export type PresenceConfig = z.infer<typeof PresenceConfigSchema>;
