// The gateway's own REST calls to messaging, made with the user's access token: the memberships a
// connecting socket is joined to, and `sync`. Every failure becomes an AppError with a protocol
// code: messaging's own error code when it answered one, `unavailable` when it could not be asked.
import { Logger } from '@nestjs/common';
import {
  ErrorBodySchema,
  errorCodeForStatus,
  type MembershipsResponse,
  MembershipsResponseSchema,
  type SyncPayload,
  type SyncResult,
  SyncResponseSchema,
} from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type z } from 'zod';

export interface MessagingApiOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class MessagingApi {
  private readonly logger = new Logger('MessagingApi');
  private readonly fetch: typeof fetch;

  constructor(private readonly options: MessagingApiOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  memberships(token: string): Promise<MembershipsResponse> {
    return this.call('GET', '/api/me/memberships', token, undefined, MembershipsResponseSchema);
  }

  sync(token: string, payload: SyncPayload): Promise<SyncResult> {
    return this.call('POST', '/api/sync', token, payload, SyncResponseSchema);
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, token: string, body: unknown, schema: S): Promise<z.infer<S>> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(new URL(path, this.options.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      this.logger.warn(`${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new AppError('unavailable', 'messaging is unavailable; try again');
    }
    const json = parseJson(text);
    if (!response.ok) {
      const problem = ErrorBodySchema.safeParse(json);
      if (problem.success) throw new AppError(problem.data.error.code, problem.data.error.message);
      if (response.status >= 500) this.logger.warn(`${method} ${path} answered ${response.status}`);
      throw new AppError(errorCodeForStatus(response.status), `messaging answered ${response.status}`);
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      this.logger.error(`${method} ${path} answered a body outside the contract`);
      throw new AppError('unavailable', 'messaging answered unexpectedly; try again');
    }
    return result.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
