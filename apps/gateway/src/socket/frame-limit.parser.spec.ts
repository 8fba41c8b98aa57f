import { Decoder, Encoder, type Packet, PacketType } from 'socket.io-parser';
import { frameLimitParser, OversizedPayload, oversizedEvent } from './frame-limit.parser';

const encode = (packet: Packet): string => {
  const [text] = new Encoder().encode(packet) as string[];
  if (text === undefined) throw new Error('nothing encoded');
  return text;
};

function decodeWith(decoder: Decoder, text: string): Packet[] {
  const decoded: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => decoded.push(packet));
  decoder.add(text);
  return decoded;
}

describe('frameLimitParser', () => {
  const { Decoder: LimitedDecoder } = frameLimitParser(1_000);
  const big = { channelId: 'c', text: 'x'.repeat(5_000) };

  it('decodes packets within the limit exactly like socket.io-parser', () => {
    const text = encode({ type: PacketType.EVENT, nsp: '/', id: 7, data: ['message:send', { text: 'hi' }] });
    expect(decodeWith(new LimitedDecoder(), text)).toEqual(decodeWith(new Decoder(), text));
  });

  it('hands an oversized event on unparsed: its name, its acknowledgement id, an OversizedPayload', () => {
    const text = encode({ type: PacketType.EVENT, nsp: '/', id: 42, data: ['message:send', big] });
    const [packet] = decodeWith(new LimitedDecoder(), text);
    expect(packet).toEqual({ type: PacketType.EVENT, nsp: '/', id: 42, data: ['message:send', new OversizedPayload(text.length)] });
    expect((packet?.data as unknown[])[1]).toBeInstanceOf(OversizedPayload);
  });

  it('reads a namespace, an escaped event name, and no acknowledgement id', () => {
    expect(oversizedEvent(encode({ type: PacketType.EVENT, nsp: '/admin', data: ['we"ird', big] }))).toEqual({
      type: PacketType.EVENT,
      nsp: '/admin',
      data: ['we"ird', expect.any(OversizedPayload) as OversizedPayload],
    });
    // Not an event (a connect packet): left to the normal parser.
    expect(oversizedEvent(encode({ type: PacketType.CONNECT, nsp: '/', data: { token: 'x'.repeat(5_000) } }))).toBeUndefined();
  });

  it('never parses the body: a malformed oversized event still becomes an OversizedPayload', () => {
    const text = `2${'9'.repeat(3)}["message:send",{${'x'.repeat(5_000)}`;
    const [packet] = decodeWith(new LimitedDecoder(), text);
    expect(packet).toMatchObject({ id: 999, data: ['message:send', expect.any(OversizedPayload)] });
    expect(() => decodeWith(new Decoder(), text)).toThrow();
  });
});
