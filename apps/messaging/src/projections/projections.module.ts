// projections/: the consumer that derives the after-store steps' state from stored messages.
// Above every feature module that registers steps; imports only the pipeline's registry.
import { Module } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module';
import { ProjectionsConsumer } from './projections.consumer';

@Module({ imports: [PipelineModule], providers: [ProjectionsConsumer], exports: [ProjectionsConsumer] })
export class ProjectionsModule {}
