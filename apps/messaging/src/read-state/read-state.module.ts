// read-state/: read markers (the `read` command), unread and mention counts, and the sent-messages
// ledger step.
import { Module, type OnModuleInit } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { CommonModule } from '../common/common.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { ThreadsModule } from '../threads/threads.module';
import { ReadLedgersModule } from './read-ledgers.module';
import { ReadStateService } from './read-state.service';
import { SentLedgerStep } from './sent-ledger.step';
import { UnreadCounter } from './unread-counter';

@Module({
  imports: [CommonModule, PipelineModule, ChannelAccessModule, MessageStoreModule, ReadLedgersModule, ThreadsModule],
  providers: [ReadStateService, UnreadCounter, SentLedgerStep],
  exports: [ReadLedgersModule, ReadStateService, UnreadCounter],
})
export class ReadStateModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly sent: SentLedgerStep,
  ) {}

  onModuleInit(): void {
    this.steps.addAfter(this.sent);
  }
}
