import { z } from 'zod';
import { BaseConfigSchema, jwksEnv, KafkaEnv, PortSchema, RedisEnv, UrlSchema } from '@chat/service-kit';

const httpUrl = UrlSchema(['http', 'https']);

export const GatewayConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(8080),
  ...KafkaEnv,
  ...RedisEnv,
  ...jwksEnv(),
  AUTH_URL: httpUrl.default('http://127.0.0.1:3001'),
  MESSAGING_URL: httpUrl.default('http://127.0.0.1:3002'),
  PRESENCE_URL: httpUrl.default('http://127.0.0.1:3003'),
  FILES_URL: httpUrl.default('http://127.0.0.1:3004'),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
