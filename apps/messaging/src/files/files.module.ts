// files/: the attachable files projection (chat.file.changed.v1), attachments and their send steps.
import { Module, type OnModuleInit } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { SendSteps } from '../pipeline/send-steps';
import { AttachableFilesRepository } from './attachable-files.repository';
import { FileSharesStep, ResolveAttachmentsStep } from './attachment-steps';
import { AttachmentsService } from './attachments.service';
import { FileChangedConsumer } from './file-changed.consumer';
import { FileSharesPublisher } from './file-shares.publisher';

@Module({
  imports: [CommonModule, PipelineModule],
  providers: [AttachableFilesRepository, FileSharesPublisher, AttachmentsService, FileChangedConsumer, ResolveAttachmentsStep, FileSharesStep],
  exports: [AttachmentsService, FileChangedConsumer, FileSharesPublisher],
})
export class FilesModule implements OnModuleInit {
  constructor(
    private readonly steps: SendSteps,
    private readonly resolve: ResolveAttachmentsStep,
    private readonly shares: FileSharesStep,
  ) {}

  onModuleInit(): void {
    this.steps.addBefore(this.resolve);
    this.steps.addAfter(this.shares);
  }
}
