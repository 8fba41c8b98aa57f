// The object store behind an S3 API (S3Proxy locally, MinIO or AWS S3 in production), chosen by
// configuration alone. The only place in files that talks to S3. URLs handed to clients are
// signed with a second client whose endpoint is the one browsers reach (S3_PUBLIC_ENDPOINT);
// signing is local computation, that client never sends a request.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { APP_CONFIG, ReadinessRegistry } from '@chat/service-kit';
import { type FilesConfig } from '../config';

export interface StoredObject {
  size: number;
  etag: string | undefined;
}

export interface SignedUpload {
  url: string;
  /** Headers the client must send with the PUT (they are part of the signature). */
  headers: Record<string, string>;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

@Injectable()
export class ObjectStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ObjectStorage.name);
  readonly client: S3Client;
  private readonly signer: S3Client;
  readonly bucket: string;

  constructor(@Inject(APP_CONFIG) config: FilesConfig, private readonly readiness: ReadinessRegistry) {
    this.bucket = config.S3_BUCKET;
    const base: S3ClientConfig = {
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      maxAttempts: 2,
      ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } }
        : {}),
    };
    this.client = new S3Client({ ...base, ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}) });
    const publicEndpoint = config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT;
    this.signer = new S3Client({ ...base, ...(publicEndpoint ? { endpoint: publicEndpoint } : {}) });
  }

  async onModuleInit(): Promise<void> {
    await this.ensureBucket();
    this.readiness.register({ name: 's3', check: () => this.headBucket() });
  }

  onApplicationShutdown(): void {
    this.client.destroy();
    this.signer.destroy();
  }

  private async headBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Creates the bucket when it is missing, so a fresh store works without a set-up step. */
  async ensureBucket(): Promise<void> {
    try {
      await this.headBucket();
    } catch {
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
        this.logger.log(`created bucket ${this.bucket}`);
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      }
    }
  }

  /** The object's size and ETag, or undefined when there is no such object. */
  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, etag: head.ETag?.replace(/"/g, '') };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Up to the first `length` bytes of the object (a ranged GET: the rest is never transferred). */
  async readHead(key: string, length: number): Promise<Uint8Array> {
    const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}` }));
    if (!answer.Body) return new Uint8Array();
    const bytes = await answer.Body.transformToByteArray();
    return bytes.subarray(0, length);
  }

  async read(key: string): Promise<Buffer> {
    const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array());
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** Copies an object inside the bucket (server side: the bytes do not pass through files). */
  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: `${this.bucket}/${fromKey}` }));
  }

  /** Deletes the object; deleting a missing object is not an error. */
  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** A URL that lets its holder PUT exactly this object (type and length signed) for `ttlSeconds`. */
  async signUpload(key: string, contentType: string, size: number, ttlSeconds: number): Promise<SignedUpload> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: size });
    const url = await getSignedUrl(this.signer, command, { expiresIn: ttlSeconds, signableHeaders: new Set(['content-type', 'content-length']) });
    return { url, headers: { 'content-type': contentType } };
  }

  /** A URL that lets its holder GET the object for `ttlSeconds`, served with the given name and type. */
  async signDownload(key: string, fileName: string, contentType: string, ttlSeconds: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: contentType,
      ResponseContentDisposition: contentDisposition(fileName),
    });
    return getSignedUrl(this.signer, command, { expiresIn: ttlSeconds });
  }
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
