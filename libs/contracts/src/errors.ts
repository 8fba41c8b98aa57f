// The error vocabulary of PROTOCOL.md: every REST error body and every failed Socket.IO
// acknowledgement carries one of these codes.
import { z } from 'zod';

export const ERROR_CODES = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'unavailable',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ERROR_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

export const ErrorDetailSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** With `rate_limited`: milliseconds until the refused action may be tried again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** The JSON body of every REST error. */
export const ErrorBodySchema = z.object({ error: ErrorDetailSchema });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Maps an HTTP status (from a framework or a proxied service) back to a protocol code. */
export function errorCodeForStatus(status: number): ErrorCode {
  const match = (Object.entries(ERROR_HTTP_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (match) return match[0];
  if (status >= 500) return 'unavailable';
  return 'invalid';
}

/** Renders zod issues as one short human sentence naming each offending field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'payload'}: ${issue.message}`)
    .join('; ');
}
