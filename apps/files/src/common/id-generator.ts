import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

@Injectable()
export class IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
