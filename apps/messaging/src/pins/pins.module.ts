// pins/: pinning messages of a channel and listing the pins.
import { Module } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { CommonModule } from '../common/common.module';
import { MessageRowsModule } from '../edits/message-rows.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { PinsController } from './pins.controller';
import { PinsRepository } from './pins.repository';
import { PinsService } from './pins.service';

@Module({
  imports: [CommonModule, ChannelAccessModule, MessageStoreModule, MessageRowsModule],
  controllers: [PinsController],
  providers: [PinsRepository, PinsService],
  exports: [PinsRepository],
})
export class PinsModule {}
