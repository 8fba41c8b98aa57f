// search/: the search index (written by its after-store step, edits and deletes) and the route.
import { Module, type OnModuleInit } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { SearchIndexStep } from './search-index.step';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';

@Module({
  imports: [PipelineModule, ChannelAccessModule, MessageStoreModule],
  controllers: [SearchController],
  providers: [SearchRepository, SearchService, SearchIndexStep],
  exports: [SearchRepository],
})
export class SearchModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly index: SearchIndexStep,
  ) {}

  onModuleInit(): void {
    this.steps.addAfter(this.index);
  }
}
