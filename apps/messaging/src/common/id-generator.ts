import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** The service's only source of new ids (workspaces, channels, messages), so specs can predict them. */
@Injectable()
export class IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
