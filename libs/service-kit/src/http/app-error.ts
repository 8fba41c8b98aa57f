import { type ErrorCode, ERROR_HTTP_STATUS } from '@chat/contracts';

/** An error the client caused or may act on, carrying its protocol code. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds, for `rate_limited`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}
