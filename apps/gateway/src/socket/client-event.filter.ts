// Maps whatever a client event's handler, pipe or guard threw to the protocol's acknowledgement
// (PROTOCOL.md): an AppError is answered `{ok: false, error: {code, message}}` with its own code
// (`invalid`, `too_large`, or a service's answer such as `forbidden` from `sync`); anything else
// is logged and answered `unavailable`, so a handler's bug never reaches Socket.IO, never
// disconnects the socket, and the socket stays usable. Without an acknowledgement callback
// nothing is answered: the event is dropped (logged at debug).
import { type ArgumentsHost, Catch, Logger, type WsExceptionFilter } from '@nestjs/common';
import { type Ack } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { unavailable } from '../commands/command.service';
import { DroppedEvent } from './ack-required.guard';
import { type GatewaySocket } from './socket.types';

@Catch()
export class ClientEventFilter implements WsExceptionFilter {
  private readonly logger = new Logger('ClientEvents');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const event = ws.getPattern();
    // GatewayIoAdapter passes (socket, payload arguments, acknowledgement or undefined).
    const ack = host.getArgByIndex<unknown>(2);
    const expected = exception instanceof AppError || exception instanceof DroppedEvent;
    if (!expected) this.logger.error({ err: exception, event }, 'unexpected error handling a client event');
    if (typeof ack !== 'function') {
      if (expected) this.logger.debug(`dropped ${event} from ${ws.getClient<GatewaySocket>().id}: ${exception.message}`);
      return;
    }
    const answer: Ack = exception instanceof AppError ? { ok: false, error: { code: exception.code, message: exception.message } } : unavailable('internal error; try again');
    (ack as (answer: Ack) => void)(answer);
  }
}
