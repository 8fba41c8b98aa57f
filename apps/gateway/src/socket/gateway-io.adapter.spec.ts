import { EventEmitter } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import { type MessageMappingProperties } from '@nestjs/websockets';
import { LIMITS } from '@chat/contracts';
import { from, mergeAll, of, type Observable } from 'rxjs';
import { Server } from 'socket.io';
import { OversizedPayload } from './frame-limit.parser';
import { type ClientEventObserver, GatewayIoAdapter } from './gateway-io.adapter';

type Callback = MessageMappingProperties['callback'];

function setup(callback: Callback, isAckHandledManually = false) {
  const seen: string[] = [];
  const observer: ClientEventObserver = { eventIn: (event) => seen.push(`in ${event}`), acked: (event, outcome) => seen.push(`acked ${event} ${outcome}`) };
  const adapter = new GatewayIoAdapter(undefined as unknown as HttpServer, { maxFrameBytes: 1024, observer });
  const socket = new EventEmitter();
  // What Nest's WebSocketsController passes: the result as an Observable of the answers.
  const transform = jest.fn((data: unknown): Observable<unknown> => from(Promise.resolve(data as Observable<unknown>)).pipe(mergeAll()));
  adapter.bindMessageHandlers(socket as never, [{ message: 'ping', methodName: 'ping', callback, isAckHandledManually }], transform as never);
  return { socket, seen, transform };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GatewayIoAdapter', () => {
  it('hands Nest the payload arguments and the acknowledgement, and acknowledges with the result', async () => {
    const callback = jest.fn(() => Promise.resolve({ ok: true }));
    const { socket, seen } = setup(callback);
    const ack = jest.fn();
    socket.emit('ping', { a: 1 }, 'extra', ack);
    await settled();
    expect(callback).toHaveBeenCalledWith([{ a: 1 }, 'extra'], expect.any(Function));
    expect(ack).toHaveBeenCalledWith({ ok: true });
    expect(seen).toEqual(['in ping', 'acked ping ok']);
  });

  it('passes every argument when there is no acknowledgement, and answers nothing', async () => {
    const callback = jest.fn(() => Promise.resolve({ ok: true }));
    const { socket, seen } = setup(callback);
    socket.emit('ping', { a: 1 });
    await settled();
    expect(callback).toHaveBeenCalledWith([{ a: 1 }], undefined);
    expect(seen).toEqual(['in ping']);
  });

  it('sends no acknowledgement for an empty result, or when the handler acknowledges itself', async () => {
    const ack = jest.fn();
    setup(() => Promise.resolve(undefined)).socket.emit('ping', {}, ack);
    setup(() => Promise.resolve({ ok: true }), true).socket.emit('ping', {}, ack);
    await settled();
    expect(ack).not.toHaveBeenCalled();
  });

  it('times the acknowledgement with its outcome, and contains a callback that throws', async () => {
    const callback: Callback = (_payload: unknown, ack: (answer: unknown) => void) => {
      ack({ ok: false, error: { code: 'invalid', message: 'no' } });
      return Promise.resolve(undefined);
    };
    const { socket, seen } = setup(callback);
    socket.emit('ping', {}, () => {
      throw new Error('client-side bug');
    });
    await settled();
    expect(seen).toEqual(['in ping', 'acked ping invalid']);
  });

  it('acknowledges with what an Observable result emits', async () => {
    const { socket, transform } = setup(() => Promise.resolve(of({ ok: true })));
    const ack = jest.fn();
    socket.emit('ping', {}, ack);
    await settled();
    await settled();
    expect(transform).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith({ ok: true });
  });

  it('binds one listener per event shared by every socket, each socket calling its own Nest callback', async () => {
    const adapter = new GatewayIoAdapter(undefined as unknown as HttpServer, { maxFrameBytes: 1024 });
    const transform = (data: unknown): Observable<unknown> => from(Promise.resolve(data as Observable<unknown>)).pipe(mergeAll());
    const sockets = [new EventEmitter(), new EventEmitter()];
    const calls: string[] = [];
    sockets.forEach((socket, i) => {
      const handler = (name: string): MessageMappingProperties => ({
        message: name,
        methodName: name,
        callback: () => Promise.resolve(calls.push(`${name} of socket ${i}`)),
        isAckHandledManually: false,
      });
      adapter.bindMessageHandlers(socket as never, [handler('ping'), handler('pong')], transform);
    });
    expect(sockets[0]?.listeners('ping')).toEqual(sockets[1]?.listeners('ping'));
    expect(sockets[0]?.listeners('ping')).not.toEqual(sockets[0]?.listeners('pong'));
    sockets[1]?.emit('ping', {});
    sockets[0]?.emit('pong', {});
    await settled();
    expect(calls).toEqual(['ping of socket 1', 'pong of socket 0']);
  });

  it("creates the project's Socket.IO server on the HTTP server with the frame limits and the gateway's options", async () => {
    const http = createServer();
    const adapter = new GatewayIoAdapter(http, { maxFrameBytes: 4096 });
    const server = adapter.createIOServer(0, { path: '/socket.io', serveClient: false });
    try {
      expect(server).toBeInstanceOf(Server);
      expect(server.path()).toBe('/socket.io');
      expect(server.serveClient()).toBe(false);
      expect(server.engine.opts.maxHttpBufferSize).toBe(4096);
      const parser = (server as unknown as { _parser: { Decoder: new () => { add(packet: string): void; on(event: string, listener: (packet: unknown) => void): void } } })._parser;
      const decoder = new parser.Decoder();
      const decoded: unknown[] = [];
      decoder.on('decoded', (packet) => decoded.push(packet));
      decoder.add(`2["ping",${JSON.stringify('x'.repeat(2 * LIMITS.socketPayloadMaxBytes))}]`);
      expect(decoded).toEqual([expect.objectContaining({ data: ['ping', expect.any(OversizedPayload)] })]);
    } finally {
      await server.close();
    }
  });
});
