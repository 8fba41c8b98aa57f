// Every error leaves as `{ error: { code, message } }` with the protocol's status: framework
// exceptions, body-parser failures and unexpected errors alike. Unexpected ones are logged.
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type ErrorBody, type ErrorCode, ERROR_HTTP_STATUS, errorCodeForStatus } from '@chat/contracts';
import { type Response } from 'express';
import { AppError } from './app-error';

interface RenderedError {
  status: number;
  body: ErrorBody & { details?: unknown };
  retryAfter?: number;
}

function bodyParserError(error: unknown): RenderedError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = (error).type;
  if (type === 'entity.too.large') return render('too_large', 'request body is too large');
  if (type === 'entity.parse.failed') return render('invalid', 'request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return render('invalid', 'unsupported body encoding');
  return undefined;
}

function render(code: ErrorCode, message: string, details?: unknown): RenderedError {
  return { status: ERROR_HTTP_STATUS[code], body: { error: { code, message }, ...(details ? { details } : {}) } };
}

export function renderError(error: unknown): RenderedError {
  if (error instanceof AppError) {
    return { ...render(error.code, error.message), ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) };
  }
  const parserError = bodyParserError(error);
  if (parserError) return parserError;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    // @nestjs/terminus answers 503 with the per-engine results; keep them as details.
    if (typeof response === 'object' && response !== null && 'details' in response) {
      const failing = Object.keys((response as { error?: Record<string, unknown> }).error ?? {});
      return render('unavailable', `not ready: ${failing.join(', ') || 'unknown'}`, response);
    }
    const code = errorCodeForStatus(status);
    const message = status === 404 ? 'no such route' : error.message;
    return { status: ERROR_HTTP_STATUS[code], body: { error: { code, message } } };
  }
  return render('unavailable', 'internal error; try again');
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const rendered = renderError(error);
    if (!(error instanceof AppError) && !(error instanceof HttpException) && !bodyParserError(error)) {
      this.logger.error({ err: error }, 'unexpected error');
    }
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (rendered.retryAfter !== undefined) response.setHeader('Retry-After', String(rendered.retryAfter));
    response.status(rendered.status).json(rendered.body);
  }
}
