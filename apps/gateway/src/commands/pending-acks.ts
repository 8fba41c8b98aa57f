// Commands published to Kafka and not yet answered, by request id. A reply settles its entry; a
// deadline settles it as `timeout`; a disconnecting socket drops its entries (nobody is left to
// acknowledge, and a late reply then finds nothing and is ignored). Each wait resolves exactly
// once and never rejects.
import { Injectable } from '@nestjs/common';
import { type CommandReply } from '@chat/contracts';

export type CommandResult = CommandReply['result'];

export type PendingOutcome = { kind: 'reply'; result: CommandResult } | { kind: 'timeout' } | { kind: 'dropped' };

interface Entry {
  socketId: string;
  timer: NodeJS.Timeout;
  resolve: (outcome: PendingOutcome) => void;
}

@Injectable()
export class PendingAcks {
  private readonly byRequest = new Map<string, Entry>();
  private readonly bySocket = new Map<string, Set<string>>();

  /** Registers a request before its command is published, so that even an instant reply finds it. */
  wait(socketId: string, requestId: string, timeoutMs: number): Promise<PendingOutcome> {
    if (this.byRequest.has(requestId)) throw new Error(`request ${requestId} is already pending`);
    return new Promise<PendingOutcome>((resolve) => {
      const timer = setTimeout(() => this.finish(requestId, { kind: 'timeout' }), timeoutMs);
      this.byRequest.set(requestId, { socketId, timer, resolve });
      const ofSocket = this.bySocket.get(socketId);
      if (ofSocket) ofSocket.add(requestId);
      else this.bySocket.set(socketId, new Set([requestId]));
    });
  }

  /** Settles a request with messaging's result; false when nothing waits for it (any more). */
  settle(requestId: string, result: CommandResult): boolean {
    return this.finish(requestId, { kind: 'reply', result });
  }

  /** Drops every request of a disconnected socket; returns how many were pending. */
  dropSocket(socketId: string): number {
    const requests = [...(this.bySocket.get(socketId) ?? [])];
    for (const requestId of requests) this.finish(requestId, { kind: 'dropped' });
    return requests.length;
  }

  /** Nest hook at shutdown: no timer may keep the process alive. */
  onModuleDestroy(): void {
    this.dropAll();
  }

  dropAll(): number {
    const requests = [...this.byRequest.keys()];
    for (const requestId of requests) this.finish(requestId, { kind: 'dropped' });
    return requests.length;
  }

  countFor(socketId: string): number {
    return this.bySocket.get(socketId)?.size ?? 0;
  }

  get size(): number {
    return this.byRequest.size;
  }

  private finish(requestId: string, outcome: PendingOutcome): boolean {
    const entry = this.byRequest.get(requestId);
    if (!entry) return false;
    this.byRequest.delete(requestId);
    clearTimeout(entry.timer);
    const ofSocket = this.bySocket.get(entry.socketId);
    ofSocket?.delete(requestId);
    if (ofSocket?.size === 0) this.bySocket.delete(entry.socketId);
    entry.resolve(outcome);
    return true;
  }
}
