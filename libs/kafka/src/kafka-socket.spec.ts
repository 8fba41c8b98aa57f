// The kafkajs socket factory turns Nagle's algorithm off (TCP_NODELAY) and keeps kafkajs's
// keep-alive, on a real loopback connection.
import * as net from 'node:net';
import { noDelaySocketFactory } from './kafka-socket';

describe('noDelaySocketFactory', () => {
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => jest.restoreAllMocks());

  it('connects with TCP_NODELAY and keep-alive set', async () => {
    const noDelay = jest.spyOn(net.Socket.prototype, 'setNoDelay');
    const keepAlive = jest.spyOn(net.Socket.prototype, 'setKeepAlive');
    let socket: net.Socket | undefined;
    await new Promise<void>((resolve) => {
      socket = noDelaySocketFactory({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: resolve });
    });
    expect(noDelay).toHaveBeenCalledWith(true);
    expect(noDelay.mock.contexts).toContain(socket);
    expect(keepAlive).toHaveBeenCalledWith(true, 60_000);
    socket?.destroy();
  });
});
