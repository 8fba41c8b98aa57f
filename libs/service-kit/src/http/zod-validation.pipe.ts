import { type PipeTransform } from '@nestjs/common';
import { describeIssues } from '@chat/contracts';
import { type z } from 'zod';
import { AppError } from './app-error';

/** Validates a body, query or parameter against a contract schema; failures answer `invalid`. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (!result.success) throw new AppError('invalid', describeIssues(result.error.issues));
    return result.data;
  }
}

