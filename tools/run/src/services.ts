// The processes `npm start` runs, in start order, with the variables that point them at the
// local engines of tools/infra.
import { S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_SECRET_ACCESS_KEY } from '@chat/infra';

export interface ServiceSpec {
  name: string;
  entry: string;
  port: number;
  color: number;
  env: Record<string, string>;
}

export function localServices(): ServiceSpec[] {
  return [
    { name: 'auth', entry: 'apps/auth/src/main.ts', port: 3001, color: 35, env: { TRUST_PROXY: '1' } },
    { name: 'messaging', entry: 'apps/messaging/src/main.ts', port: 3002, color: 36, env: {} },
    { name: 'presence', entry: 'apps/presence/src/main.ts', port: 3003, color: 33, env: {} },
    {
      name: 'files',
      entry: 'apps/files/src/main.ts',
      port: 3004,
      color: 34,
      env: { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY },
    },
    { name: 'gateway', entry: 'apps/gateway/src/main.ts', port: 8080, color: 32, env: {} },
  ];
}
