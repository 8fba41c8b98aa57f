// Test helpers for presence and typing: what each device hears, and the services' counters
// (Prometheus text) used as barriers ("presence has applied this signal") instead of sleeps.
import { type Presence, type TypingEvent } from '@chat/contracts';
import { performance } from 'node:perf_hooks';
import { type Device } from '../support/chat-client';

export interface Heard<T> {
  event: T;
  /** performance.now() at arrival. */
  at: number;
}

/** Records every `presence` and `typing` event a device receives from now on. */
export class Ears {
  readonly presence: Heard<Presence>[] = [];
  readonly typing: Heard<TypingEvent>[] = [];

  constructor(readonly device: Device) {
    device.socket.on('presence', (event) => this.presence.push({ event, at: performance.now() }));
    device.socket.on('typing', (event) => this.typing.push({ event, at: performance.now() }));
  }

  /** The statuses heard about one user, in arrival order. */
  statusesOf(userId: string): string[] {
    return this.presence.filter((h) => h.event.userId === userId).map((h) => h.event.status);
  }

  typingFrom(userId: string, channelId: string): Heard<TypingEvent>[] {
    return this.typing.filter((h) => h.event.userId === userId && h.event.channelId === channelId);
  }
}

/** Counters of one scrape: `sum(name, labels)` adds the samples whose labels include every pair given. */
export type Scrape = (name: string, labels?: Record<string, string>) => number;

/** One read of a service's /metrics (Prometheus text), so that related counters are consistent. */
export async function scrape(origin: string): Promise<Scrape> {
  const lines = (await (await fetch(new URL('/metrics', origin))).text()).split('\n');
  return (name, labels = {}) => {
    let total = 0;
    for (const line of lines) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };
}

export async function counter(origin: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return (await scrape(origin))(name, labels);
}
