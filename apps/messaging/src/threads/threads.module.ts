// threads/: thread listings and summaries, the thread route, and the threads' send steps.
import { Module, type OnModuleInit } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MessageRowsModule } from '../edits/message-rows.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { ReadLedgersModule } from '../read-state/read-ledgers.module';
import { ThreadRootStep, ThreadSummaryStep } from './thread-steps';
import { ThreadsController } from './threads.controller';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

@Module({
  imports: [CommonModule, PipelineModule, MessageStoreModule, MessageRowsModule, ReadLedgersModule],
  controllers: [ThreadsController],
  providers: [ThreadsRepository, ThreadsService, ThreadRootStep, ThreadSummaryStep],
  exports: [ThreadsRepository, ThreadsService],
})
export class ThreadsModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly root: ThreadRootStep,
    private readonly summary: ThreadSummaryStep,
  ) {}

  onModuleInit(): void {
    this.steps.addBefore(this.root);
    this.steps.addAfter(this.summary);
  }
}
