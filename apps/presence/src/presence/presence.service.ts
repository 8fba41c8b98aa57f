// GET /api/presence: the published status of users who share a workspace with the caller. Users
// the caller shares nothing with (or who do not exist) are left out of the answer: a stranger
// learns nothing, not even whether the id is a user.
import { Injectable } from '@nestjs/common';
import { type Presence } from '@chat/contracts';
import { PresenceRepository } from './presence.repository';

@Injectable()
export class PresenceService {
  constructor(private readonly repository: PresenceRepository) {}

  async visible(callerId: string, userIds: readonly string[]): Promise<Presence[]> {
    return this.repository.visibleTo(callerId, [...new Set(userIds)]);
  }
}
