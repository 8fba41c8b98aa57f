import { type User } from '@chat/contracts';

/** An account as stored. */
export interface Account {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  createdAt: Date;
}

/** The public view of an account (never the hash). */
export function toUser(account: Account): User {
  return { id: account.id, username: account.username, displayName: account.displayName, createdAt: account.createdAt.toISOString() };
}
