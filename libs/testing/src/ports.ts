import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where ports are picked: below the kernel's ephemeral range. A port the kernel handed out for
 * `listen(0)` (what this did before) is in that range, where the kernel goes on handing ports to
 * every outgoing connection and every other `listen(0)` (a service's METRICS_PORT=0): between
 * the probe and the service's bind, one of those took it once (EADDRINUSE, a CI run lost).
 */
export const PICKED_PORTS = { first: 20_000, last: ephemeralStart() - 1 };

function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 21_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports this process handed out. The probe frees a port at once, so a later pick could return it
 * again before its first owner bound it: a test system picks every service's ports before it
 * starts them, and two of them drew the same one (auth: EADDRINUSE, the failover tier lost a CI run).
 */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 right now, outside the kernel's ephemeral range (PICKED_PORTS),
 * and never one this process handed out before.
 */
export async function freePort(): Promise<number> {
  const span = PICKED_PORTS.last - PICKED_PORTS.first + 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PICKED_PORTS.first + Math.floor(Math.random() * span);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${PICKED_PORTS.first} and ${PICKED_PORTS.last} after 50 tries`);
}
