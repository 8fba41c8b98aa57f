// Integration-test harness: runs files in this process exactly as main.ts does (bootstrapService on
// a real port), each run with its own PostgreSQL database, S3 bucket and Kafka namespace (topic and
// consumer-group prefix), and access tokens signed by a key of the test's own, served from a local
// JWKS endpoint. Also plays messaging's part on Kafka (shares, memberships) and reads the bucket
// and database directly, so specs can check what was stored.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type Pool } from 'pg';
import { ChannelMembershipTopic, type FileChangedEvent, FileChangedTopic, FileSharedTopic } from '@chat/contracts';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@chat/auth-client';
import { type ConsumerHandle, BusConsumers, BusProducer } from '@chat/kafka';
import { PG_POOL } from '@chat/postgres';
import { bootstrapService, parseConfig, serviceIdentity } from '@chat/service-kit';
import { dropRunData, freePort, uniqueName } from '@chat/testing';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { AppModule } from '../app.module';
import { type FilesConfig, FilesConfigSchema } from '../config';
import { SharingConsumer } from '../sharing/sharing.consumer';
import { ThumbnailsConsumer } from '../thumbnails/thumbnails.consumer';
import { ObjectStorage } from '../storage/object-storage';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const ENGINES = {
  postgresAdmin: env('POSTGRES_ADMIN_URL', 'postgres://postgres@127.0.0.1:5432'),
  kafka: env('KAFKA_BROKERS', '127.0.0.1:9092'),
  s3: { endpoint: env('S3_ENDPOINT', 'http://127.0.0.1:9000'), region: 'us-east-1', accessKeyId: env('S3_ACCESS_KEY_ID', 'local'), secretAccessKey: env('S3_SECRET_ACCESS_KEY', 'localsecret') },
};

export interface TestUser {
  id: string;
  token: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export class FilesTestApp {
  readonly changes: FileChangedEvent[] = [];
  private observer: ConsumerHandle | undefined;

  private constructor(
    readonly app: INestApplication,
    readonly config: FilesConfig,
    readonly url: string,
    private readonly jwks: Server,
    private readonly privateKey: KeyLike,
    private readonly kid: string,
    private readonly run: string,
  ) {}

  /**
   * `postgresAdmin` lets a spec put PostgreSQL behind a proxy it can take down (the run's database
   * name is appended to it).
   */
  static async start(overrides: Record<string, string> = {}, options: { postgresAdmin?: string } = {}): Promise<FilesTestApp> {
    const run = uniqueName('test_files_');
    const kid = randomUUID();
    const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519' });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
    const jwks = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    const config = parseConfig(FilesConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env['TEST_SERVICE_LOG_LEVEL'] ?? 'silent',
      PORT: String(port),
      POSTGRES_URL: `${options.postgresAdmin ?? ENGINES.postgresAdmin}/${run}`,
      KAFKA_BROKERS: ENGINES.kafka,
      KAFKA_TOPIC_PREFIX: `${run.replace(/_/g, '-')}.`,
      S3_ENDPOINT: ENGINES.s3.endpoint,
      S3_ACCESS_KEY_ID: ENGINES.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: ENGINES.s3.secretAccessKey,
      S3_BUCKET: run.replace(/_/g, '-'),
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/auth/.well-known/jwks.json`,
      ...overrides,
    });
    const identity = serviceIdentity('files', `files-test-${uniqueName('')}`);
    const app = await bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
    const running = new FilesTestApp(app, config, `http://127.0.0.1:${port}`, jwks, privateKey, kid, run);
    await Promise.all([app.get(SharingConsumer).ready(), app.get(ThumbnailsConsumer).ready()]);
    running.observer = await app.get(BusConsumers).consume({
      groupId: `observer-${randomUUID()}`,
      fromBeginning: true,
      topics: [FileChangedTopic],
      handler: (record) => {
        running.changes.push(record.value);
        return Promise.resolve();
      },
    });
    await running.observer.ready;
    return running;
  }

  async user(): Promise<TestUser> {
    const id = randomUUID();
    const token = await new SignJWT({ username: `u_${id.slice(0, 8)}` })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(this.privateKey);
    return { id, token };
  }

  /** A REST call to files, redirects not followed. */
  async request(user: TestUser, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** What messaging would publish when a user joins or leaves a channel. */
  async membership(channelId: string, userId: string, change: 'joined' | 'left'): Promise<void> {
    const channel = { id: channelId, workspaceId: randomUUID(), name: 'general', kind: 'public' as const, private: false, createdBy: userId, createdAt: new Date().toISOString() };
    await this.app.get(BusProducer).publish(ChannelMembershipTopic, channelId, { channel, userId, change });
  }

  /** What messaging publishes when a message with the file is stored (or, `revoked`, deleted). */
  async shared(fileId: string, channelId: string, sharedBy: string, messageId: string = randomUUID(), change: 'shared' | 'revoked' = 'shared'): Promise<void> {
    await this.app.get(BusProducer).publish(FileSharedTopic, fileId, {
      fileId,
      channelId,
      messageId,
      sharedBy,
      sharedAt: new Date().toISOString(),
      change,
    });
  }

  /** Keys in the run's bucket. */
  async objectKeys(): Promise<string[]> {
    const storage = this.app.get(ObjectStorage);
    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket }));
    return (listed.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
  }

  /** Members of a channel as the files service's projection holds them. */
  async channelMembers(channelId: string): Promise<string[]> {
    const { rows } = await this.app.get<Pool>(PG_POOL).query<{ user_id: string }>('SELECT user_id FROM channel_members WHERE channel_id = $1 ORDER BY user_id', [channelId]);
    return rows.map((r) => r.user_id);
  }

  async fileRows(): Promise<{ id: string; status: string }[]> {
    const { rows } = await this.app.get<Pool>(PG_POOL).query<{ id: string; status: string }>('SELECT id, status FROM files ORDER BY created_at');
    return rows;
  }

  async thumbnailState(fileId: string): Promise<string | null | undefined> {
    const { rows } = await this.app.get<Pool>(PG_POOL).query<{ thumbnail: string | null }>('SELECT thumbnail FROM files WHERE id = $1', [fileId]);
    return rows[0]?.thumbnail;
  }

  /** Writes an object straight into the run's bucket (what a client bypassing the signature could do). */
  async writeObject(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.app.get(ObjectStorage).write(key, Buffer.from(bytes), contentType);
  }

  async stop(): Promise<void> {
    await this.observer?.stop();
    await this.app.close();
    this.jwks.closeAllConnections();
    await new Promise<void>((resolve) => this.jwks.close(() => resolve()));
    await dropRunData(
      { topicPrefix: this.config.KAFKA_TOPIC_PREFIX, databases: [this.run], buckets: [this.config.S3_BUCKET] },
      {
        postgresUrl: `${ENGINES.postgresAdmin}/postgres`,
        cassandra: { contactPoints: [], localDataCenter: 'datacenter1' },
        s3: ENGINES.s3,
        kafkaBrokers: ENGINES.kafka.split(','),
      },
    );
  }
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** PUTs bytes to a presigned upload URL with the headers files asked for (and `extra`). */
export async function putUpload(upload: { url: string; headers: Record<string, string> }, bytes: Uint8Array, extra: Record<string, string> = {}): Promise<number> {
  const response = await fetch(upload.url, { method: 'PUT', headers: { ...upload.headers, ...extra }, body: bytes });
  await response.arrayBuffer();
  return response.status;
}

/** Follows a 302 from files to the object store and returns the bytes and their type. */
export async function fetchLocation(answer: HttpAnswer): Promise<{ status: number; bytes: Uint8Array; contentType: string | null; disposition: string | null }> {
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) throw new Error(`expected a 302 with a Location, got ${answer.status} ${JSON.stringify(answer.body)}`);
  const response = await fetch(location);
  return {
    status: response.status,
    bytes: new Uint8Array(await response.arrayBuffer()),
    contentType: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
  };
}
