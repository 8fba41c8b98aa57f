// messages/: the send pipeline (PartitionSequencer and PartitionStore behind SendPipelineConsumer;
// see docs/design/sequencer.md; sends also arrive directly from gateways, DirectCommandsEndpoint), the other channel commands it orders (edits, deletes, reactions,
// read markers), and history and sync. The storage it writes is MessageStoreModule's; the steps
// features plug into the pipeline come through PipelineModule's SendSteps.
import { Module } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { CommonModule } from '../common/common.module';
import { EditsModule } from '../edits/edits.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { ReadStateModule } from '../read-state/read-state.module';
import { ChannelCommandService } from './channel-command.service';
import { DirectAddress } from './direct-address';
import { DirectCommandsEndpoint } from './direct-commands.endpoint';
import { HistoryService } from './history.service';
import { MessageStoreModule } from './message-store.module';
import { MessagesController } from './messages.controller';
import { PartitionEpochsRepository } from './partition-epochs.repository';
import { SendPipelineConsumer } from './send-pipeline.consumer';
import { StoreAcks } from './store-acks';
import { StoreProgress } from './store-progress';

@Module({
  imports: [CommonModule, PipelineModule, MessageStoreModule, ChannelAccessModule, ReadStateModule, EditsModule],
  controllers: [MessagesController],
  providers: [PartitionEpochsRepository, StoreProgress, StoreAcks, HistoryService, ChannelCommandService, DirectAddress, SendPipelineConsumer, DirectCommandsEndpoint],
  exports: [SendPipelineConsumer],
})
export class MessagesModule {}
