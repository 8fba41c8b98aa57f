// The object store behind an S3 API (S3Proxy locally, MinIO or AWS S3 in production), chosen by
// configuration alone. The only place in files that talks to S3.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { APP_CONFIG, ReadinessRegistry } from '@chat/service-kit';
import { type FilesConfig } from '../config';

@Injectable()
export class ObjectStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ObjectStorage.name);
  readonly client: S3Client;
  readonly bucket: string;

  constructor(@Inject(APP_CONFIG) config: FilesConfig, private readonly readiness: ReadinessRegistry) {
    this.bucket = config.S3_BUCKET;
    this.client = new S3Client({
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      maxAttempts: 2,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
      ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } }
        : {}),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.ensureBucket();
    this.readiness.register({ name: 's3', check: () => this.headBucket() });
  }

  onApplicationShutdown(): void {
    this.client.destroy();
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
}
