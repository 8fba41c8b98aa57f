// The validation pipe of every client event's payload (`@MessageBody(new ClientPayloadPipe(event))`
// in the gateway). GatewayIoAdapter hands Nest the event's arguments without the acknowledgement
// callback; they are checked in this order: the serialized size against
// LIMITS.socketPayloadMaxBytes (`too_large`); exactly one argument (`invalid`); one JSON object
// (`invalid`); the event's contract schema through the shared ZodValidationPipe (`invalid`,
// naming the offending fields). A failure throws AppError, which ClientEventFilter answers.
import { type PipeTransform } from '@nestjs/common';
import { CLIENT_EVENT_SCHEMAS, type ClientEventName, type ErrorDetail, LIMITS } from '@chat/contracts';
import { AppError, ZodValidationPipe } from '@chat/service-kit';
import { type z } from 'zod';

export type EventPayload<E extends ClientEventName> = z.infer<(typeof CLIENT_EVENT_SCHEMAS)[E]>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Bytes of the arguments as JSON, or undefined when they cannot be serialized at all. */
export function serializedSize(args: readonly unknown[]): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(args), 'utf8');
  } catch {
    return undefined;
  }
}

/** What is wrong with the arguments before any schema looks at them, or undefined. */
export function checkArguments(args: readonly unknown[], maxBytes: number): ErrorDetail | undefined {
  const size = serializedSize(args);
  if (size === undefined) return { code: 'invalid', message: 'payload is not serializable' };
  if (size > maxBytes) return { code: 'too_large', message: `payload is ${size} bytes; at most ${maxBytes} are accepted` };
  if (args.length > 1) return { code: 'invalid', message: 'expected one payload object and an acknowledgement callback' };
  const payload = args[0];
  if (payload !== undefined && !isPlainObject(payload)) return { code: 'invalid', message: 'payload must be an object' };
  return undefined;
}

export class ClientPayloadPipe<E extends ClientEventName> implements PipeTransform<readonly unknown[], EventPayload<E>> {
  private readonly schema: ZodValidationPipe<z.ZodType>;

  constructor(
    event: E,
    private readonly maxBytes = LIMITS.socketPayloadMaxBytes,
  ) {
    this.schema = new ZodValidationPipe(CLIENT_EVENT_SCHEMAS[event]);
  }

  transform(args: readonly unknown[]): EventPayload<E> {
    const problem = checkArguments(args, this.maxBytes);
    if (problem) throw new AppError(problem.code, problem.message);
    const payload = args[0];
    try {
      // Parsed with this event's own schema; TypeScript cannot correlate the two through the index.
      return this.schema.transform(payload) as EventPayload<E>;
    } catch (error) {
      if (payload === undefined && error instanceof AppError) throw new AppError('invalid', 'payload must be an object');
      throw error;
    }
  }
}
