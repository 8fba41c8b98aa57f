// The users messaging knows about: a projection of chat.user.registered.v1 (auth owns accounts).
// Nothing requires the caller to be projected (their token says who they are); only looking up
// *another* user does, and a user registered a moment ago may not be projected yet, so a miss
// waits a little for the consumer before answering not_found.
import { Inject, Injectable } from '@nestjs/common';
import { type AddWorkspaceMemberRequest, type User, type UserRegisteredEvent, type UsersQuery } from '@chat/contracts';
import { APP_CONFIG, AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type MessagingConfig } from '../config';
import { UsersRepository } from './users.repository';

const POLL_MS = 100;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<MessagingConfig, 'USER_PROJECTION_WAIT_MS'>,
  ) {}

  /** Applies a user.registered event; replays are harmless (the same values are written again). */
  async project(event: UserRegisteredEvent): Promise<void> {
    await this.users.upsert({ id: event.userId, username: event.username, displayName: event.displayName, createdAt: event.registeredAt });
  }

  /** The user named by id or username (case-insensitive), or not_found. */
  async resolve(ref: AddWorkspaceMemberRequest): Promise<User> {
    const lookup = (): Promise<User | undefined> => ('userId' in ref ? this.users.byId(ref.userId) : this.users.byUsername(ref.username));
    const deadline = this.clock.now().getTime() + this.config.USER_PROJECTION_WAIT_MS;
    for (;;) {
      const user = await lookup();
      if (user) return user;
      if (this.clock.now().getTime() >= deadline) break;
      await this.clock.sleep(POLL_MS);
    }
    throw new AppError('not_found', 'userId' in ref ? `user ${ref.userId} not found` : `user ${ref.username} not found`);
  }

  /** Usernames of the given users that are projected (for naming DMs). */
  async usernames(ids: readonly string[]): Promise<Map<string, string>> {
    const users = await Promise.all(ids.map((id) => this.users.byId(id)));
    return new Map(users.filter((u): u is User => u !== undefined).map((u) => [u.id, u.username]));
  }

  /** Projected users by ids (unknown ids left out) or by username (empty when unknown). */
  async find(query: UsersQuery): Promise<User[]> {
    const found = 'ids' in query ? await Promise.all([...new Set(query.ids)].map((id) => this.users.byId(id))) : [await this.users.byUsername(query.username)];
    return found.filter((user): user is User => user !== undefined);
  }
}
