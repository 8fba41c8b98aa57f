// search/: the search route, over the terms each message row carries (messages/text-analyzer.ts),
// and the one-time backfill of those terms from the former index table.
import { Module } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { CommonModule } from '../common/common.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';
import { SearchTermsBackfill } from './search-terms-backfill';
import { SearchTermsBackfillRepository } from './search-terms-backfill.repository';

@Module({
  imports: [CommonModule, ChannelAccessModule, MessageStoreModule],
  controllers: [SearchController],
  providers: [SearchRepository, SearchService, SearchTermsBackfillRepository, SearchTermsBackfill],
})
export class SearchModule {}
