import { z } from 'zod';
import { BaseConfigSchema, CassandraEnv, cassandraKeyspaceEnv, jwksEnv, KafkaEnv, PortSchema } from '@chat/service-kit';

export const MessagingConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3002),
  ...KafkaEnv,
  ...CassandraEnv,
  ...cassandraKeyspaceEnv('chat_messaging'),
  ...jwksEnv(),
});
export type MessagingConfig = z.infer<typeof MessagingConfigSchema>;
