// Events the protocol answers through an acknowledgement must carry one (PROTOCOL.md): without a
// callback there is nobody to tell, so the event is dropped before its payload is even looked at.
// Applied to every handler of the gateway except the ones whose acknowledgement is optional
// (`typing`); ClientEventFilter logs the drop.
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/** An event that is not answered at all: nothing to acknowledge it with. */
export class DroppedEvent extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DroppedEvent';
  }
}

@Injectable()
export class AckRequired implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    // GatewayIoAdapter passes (socket, payload arguments, acknowledgement or undefined).
    if (typeof context.getArgByIndex(2) === 'function') return true;
    throw new DroppedEvent('no acknowledgement callback');
  }
}
