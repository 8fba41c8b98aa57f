// The send pipeline's registry of steps; feature modules import this (downward) to add theirs.
import { Module } from '@nestjs/common';
import { SendSteps } from './send-steps';

@Module({ providers: [SendSteps], exports: [SendSteps] })
export class PipelineModule {}
