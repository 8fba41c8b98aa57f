// Every FILES_CLEANUP_INTERVAL_SECONDS, deletes uploads never completed within
// FILES_ABANDONED_AFTER_SECONDS: their objects (a PUT may have arrived without a complete), then
// their metadata, in batches, while holding their rows locked (see FilesRepository.removeAbandoned),
// and announces each as deleted. Safe with several instances: locked rows are skipped.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { type FilesConfig } from '../config';
import { FileEventsPublisher } from '../metadata/file-events.publisher';
import { originalKey, uploadKey } from '../metadata/file-keys';
import { type FileRecord, FilesRepository } from '../metadata/files.repository';
import { ObjectStorage } from '../storage/object-storage';

const BATCH = 100;

@Injectable()
export class AbandonedUploadsJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AbandonedUploadsJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: ObjectStorage,
    private readonly events: FileEventsPublisher,
    @Inject(APP_CONFIG) private readonly config: Pick<FilesConfig, 'FILES_ABANDONED_AFTER_SECONDS' | 'FILES_CLEANUP_INTERVAL_SECONDS'>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .then((removed) => {
          if (removed) this.logger.log(`removed ${removed} abandoned upload(s)`);
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'abandoned-upload cleanup failed; retrying next interval'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.config.FILES_CLEANUP_INTERVAL_SECONDS * 1000);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: removes every upload abandoned now; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await this.files.removeAbandoned(this.config.FILES_ABANDONED_AFTER_SECONDS, BATCH, (batch) => this.removeObjects(batch));
      total += removed.length;
      if (removed.length) await this.events.changedMany(removed, 'deleted');
      if (removed.length < BATCH) return total;
    }
  }

  private async removeObjects(batch: readonly FileRecord[]): Promise<void> {
    await Promise.all(batch.flatMap((file) => [this.storage.delete(uploadKey(file.id)), this.storage.delete(originalKey(file.id))]));
  }
}
