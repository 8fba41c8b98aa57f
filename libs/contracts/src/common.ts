// Primitive schemas shared by every contract.
import { z } from 'zod';

export const IdSchema = z.uuid();
export type Id = z.infer<typeof IdSchema>;

export const TimestampSchema = z.iso.datetime();

/** Usernames: 3-32 characters, lower-case letters, digits, '.', '_' and '-'; unique ignoring case. */
export const UsernameSchema = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"');

export const PasswordSchema = z.string().min(10).max(256);

export const DisplayNameSchema = z.string().trim().min(1).max(64);

export const LIMITS = {
  /** Longest message text, in characters (UTF-16 code units, as JavaScript counts them). */
  messageTextMax: 4000,
  /** Largest Socket.IO payload the gateway accepts, in bytes. */
  socketPayloadMaxBytes: 64 * 1024,
  /** Largest history page. */
  historyPageMax: 200,
  historyPageDefault: 50,
  syncChannelsMax: 500,
  fileIdsMax: 10,
  /** Users one GET /api/presence may ask about. */
  presenceUserIdsMax: 200,
} as const;

export const SeqSchema = z.number().int().nonnegative();
