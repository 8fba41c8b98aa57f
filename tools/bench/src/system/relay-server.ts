// The bare relay: a minimal single-process Socket.IO server with nothing behind it (no Kafka, no
// database, no auth). A socket joins the rooms named in its handshake (`auth.rooms`); a
// `message:send` gets the next seq of its channel, is acknowledged and is broadcast to the room,
// the sender's socket included — the same exchange the gateway offers, at the transport's cost
// only. Run as a child process of the harness; it reports its port over IPC.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface SendPayload {
  channelId?: unknown;
  clientMsgId?: unknown;
  text?: unknown;
}

const http = createServer();
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 1 << 20 });
const seqs = new Map<string, number>();

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { rooms?: unknown };
  const rooms = Array.isArray(auth.rooms) ? auth.rooms.filter((r): r is string => typeof r === 'string') : [];
  void socket.join(rooms.map((r) => `ch:${r}`));
  const senderId = randomUUID();
  socket.on('message:send', (payload: SendPayload, ack?: (answer: unknown) => void) => {
    if (typeof payload?.channelId !== 'string' || typeof payload.text !== 'string' || typeof payload.clientMsgId !== 'string') {
      ack?.({ ok: false, error: { code: 'invalid', message: 'channelId, clientMsgId and text are required' } });
      return;
    }
    const seq = (seqs.get(payload.channelId) ?? 0) + 1;
    seqs.set(payload.channelId, seq);
    const message = { id: randomUUID(), channelId: payload.channelId, seq, senderId, clientMsgId: payload.clientMsgId, text: payload.text, createdAt: new Date().toISOString() };
    ack?.({ ok: true, message });
    io.to(`ch:${payload.channelId}`).emit('message:new', message);
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
