// Socket.IO's parser (socket.io-parser) with one change: an event packet too large to be a valid
// payload is not JSON-parsed. Its header (namespace, acknowledgement id) and event name are read,
// and it is handed on as the event with an `OversizedPayload` in place of its arguments, which
// SocketServer answers `too_large` (PROTOCOL.md: a payload over the limit never closes the
// connection). So a frame of several MiB costs the transport's receive buffer, never a parse of
// megabytes of JSON; the transport itself (engine.io `maxHttpBufferSize`, SOCKET_MAX_FRAME_BYTES)
// still closes a connection whose frame exceeds that hard bound.
import { Decoder, Encoder, type Packet, PacketType } from 'socket.io-parser';

/** Stands in for the arguments of an event whose packet was too large to parse. */
export class OversizedPayload {
  constructor(
    /** Length of the encoded packet (characters). */
    readonly packetLength: number,
  ) {}
}

const EVENT_NAME = /^\["((?:[^"\\]|\\.){1,100})"/;

/** The packet to dispatch instead of an oversized event, or undefined when `text` is not an event. */
export function oversizedEvent(text: string): Packet | undefined {
  // The packet type is the first character (socket.io-parser's encoding): '2' is an EVENT.
  if (text.charAt(0) !== String(PacketType.EVENT)) return undefined;
  let i = 1;
  let nsp = '/';
  if (text.charAt(i) === '/') {
    const comma = text.indexOf(',', i);
    if (comma === -1 || comma > 200) return undefined;
    nsp = text.slice(i, comma);
    i = comma + 1;
  }
  const digits = /^\d{1,15}/.exec(text.slice(i, i + 16))?.[0];
  const id = digits === undefined ? undefined : Number(digits);
  i += digits?.length ?? 0;
  const name = EVENT_NAME.exec(text.slice(i, i + 256))?.[1];
  let event = '';
  try {
    event = name === undefined ? '' : (JSON.parse(`"${name}"`) as string);
  } catch {
    event = '';
  }
  return { type: PacketType.EVENT, nsp, ...(id === undefined ? {} : { id }), data: [event, new OversizedPayload(text.length)] };
}

/** A socket.io `parser` option whose decoder refuses to parse event packets longer than `maxPacketLength`. */
export function frameLimitParser(maxPacketLength: number): { Encoder: typeof Encoder; Decoder: typeof Decoder } {
  class FrameLimitDecoder extends Decoder {
    override add(obj: unknown): void {
      const packet = typeof obj === 'string' && obj.length > maxPacketLength ? oversizedEvent(obj) : undefined;
      if (packet) this.emitReserved('decoded', packet);
      else super.add(obj);
    }
  }
  return { Encoder, Decoder: FrameLimitDecoder };
}
