// Locating a message by id for a caller (MessageLocator), changing a stored row
// (MessageUpdatesRepository), and the by-id index step that makes messages locatable. Below the
// features that act on existing messages: threads, pins and edits.
import { Module, type OnModuleInit } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { MessageIndexStep } from './message-index.step';
import { MessageLocator } from './message-locator';
import { MessageUpdatesRepository } from './message-updates.repository';

@Module({
  imports: [PipelineModule, ChannelAccessModule, MessageStoreModule],
  providers: [MessageLocator, MessageUpdatesRepository, MessageIndexStep],
  exports: [MessageLocator, MessageUpdatesRepository],
})
export class MessageRowsModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly index: MessageIndexStep,
  ) {}

  onModuleInit(): void {
    this.steps.addAfter(this.index);
  }
}
