// mentions/: resolving @names and the mention ledgers, with their send steps.
import { Module, type OnModuleInit } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { ReadLedgersModule } from '../read-state/read-ledgers.module';
import { UsersModule } from '../users/users.module';
import { MentionLedger } from './mention-ledger';
import { MentionLedgerStep, ResolveMentionsStep } from './mention-steps';
import { MentionsService } from './mentions.service';

@Module({
  imports: [PipelineModule, UsersModule, ReadLedgersModule],
  providers: [MentionsService, MentionLedger, ResolveMentionsStep, MentionLedgerStep],
  exports: [MentionsService, MentionLedger],
})
export class MentionsModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly resolve: ResolveMentionsStep,
    private readonly ledger: MentionLedgerStep,
  ) {}

  onModuleInit(): void {
    this.steps.addBefore(this.resolve);
    this.steps.addAfter(this.ledger);
  }
}
