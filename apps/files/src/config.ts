import { type z } from 'zod';
import { BaseConfigSchema, jwksEnv, KafkaEnv, PortSchema, postgresEnv, S3Env } from '@chat/service-kit';

export const FilesConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3004),
  ...KafkaEnv,
  ...postgresEnv('chat_files'),
  ...S3Env,
  ...jwksEnv(),
});
export type FilesConfig = z.infer<typeof FilesConfigSchema>;
