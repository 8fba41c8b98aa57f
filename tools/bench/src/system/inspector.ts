// The V8 heap of a Node process the bench started with `--inspect=127.0.0.1:<port>` (the gateway
// and the relay in idle-sockets, never a production start): a full garbage collection through the
// inspector protocol (HeapProfiler.collectGarbage), then Runtime.getHeapUsage, so the figure is
// what the process really holds, not garbage not yet collected. Both processes are measured the
// same way, so their ratio compares like with like.
import WebSocket from 'ws';

export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
}

/** The flag that opens the inspector on a loopback port. */
export function inspectFlag(port: number): string {
  return `--inspect=127.0.0.1:${port}`;
}

/** An inspector session on a process: a full GC and the heap in use, as often as asked. */
export interface InspectorSession {
  heapAfterGc(): Promise<HeapUsage>;
  close(): void;
}

/**
 * Opens one session, before the sockets come: a server holding as many sockets as its file
 * descriptor limit allows (the relay at 20,000 under a hard limit of 20,000) can accept no further
 * connection, so a session opened only afterwards failed ("fetch failed").
 */
export async function openInspector(port: number, timeoutMs = 60_000): Promise<InspectorSession> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 0;
  const call = (method: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} took more than ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8')) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== id) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`inspector: ${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async heapAfterGc(): Promise<HeapUsage> {
      await call('HeapProfiler.collectGarbage');
      const usage = await call('Runtime.getHeapUsage');
      return { usedBytes: Number(usage['usedSize']), totalBytes: Number(usage['totalSize']) };
    },
    close: () => socket.close(),
  };
}
