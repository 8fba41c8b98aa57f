// Turns a validated client command into a Kafka command on chat.channel.command.v1 (keyed by
// channel, so one channel's commands apply in order), then waits for messaging's reply addressed
// to this gateway instance and request. Every path ends in an acknowledgement, or in none when the
// socket has gone; nothing here throws to the caller.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Ack, type ChannelCommand, ChannelCommandTopic, type ChannelCommandType, type ClientEventName, type ErrorDetail, type Message } from '@chat/contracts';
import { BusProducer, TRACE_HEADERS, TraceSampler, traceNow } from '@chat/kafka';
import { rateLimited } from '../rate-limit/rate-limited';
import { type RateDecision, SendRateLimiter } from '../rate-limit/send-rate-limiter';
import { type EventPayload } from '../socket/client-payload.pipe';
import { DirectHop } from './direct-hop';
import { PendingAcks, type PendingOutcome } from './pending-acks';
import { RepliesConsumer } from './replies.consumer';

export const COMMAND_TYPES = {
  'message:send': 'message.send',
  'message:edit': 'message.edit',
  'message:delete': 'message.delete',
  'reaction:add': 'reaction.add',
  'reaction:remove': 'reaction.remove',
  read: 'read',
} as const satisfies Partial<Record<ClientEventName, ChannelCommandType>>;

export type CommandEvent = keyof typeof COMMAND_TYPES;

/** Events whose successful acknowledgement carries the stored message. */
const ANSWERS_WITH_MESSAGE: ReadonlySet<CommandEvent> = new Set(['message:send', 'message:edit']);

export interface CommandContext {
  socketId: string;
  userId: string;
}

/** The numbers and identity CommandService works with (COMMAND_SETTINGS, from the config). */
export interface CommandSettings {
  gatewayId: string;
  timeoutMs: number;
  maxPendingPerSocket: number;
  /** Every N-th command carries trace headers (TRACE_SAMPLE_EVERY; default 16). */
  traceSampleEvery?: number;
  newId?: () => string;
  now?: () => Date;
}

export const COMMAND_SETTINGS = Symbol('COMMAND_SETTINGS');

/**
 * Hands a command to messaging: a send through the direct hop when it is on (COMMAND_HOP_SECRET),
 * everything else through the bus (chat.channel.command.v1, keyed by channel). A sample is stamped
 * for the hop metrics.
 */
@Injectable()
export class CommandPublisher {
  private readonly sampler: TraceSampler;

  constructor(
    private readonly producer: BusProducer,
    private readonly hop: DirectHop,
    @Inject(COMMAND_SETTINGS) settings: CommandSettings,
  ) {
    this.sampler = new TraceSampler(settings.traceSampleEvery ?? 16);
  }

  publish(requestId: string, command: ChannelCommand): Promise<unknown> {
    const headers = this.sampler.next() ? { [TRACE_HEADERS.gatewayPublished]: traceNow() } : undefined;
    if (command.type === 'message.send' && command.replyTo && this.hop.enabled) return this.hop.send(requestId, { ...command, replyTo: command.replyTo }, headers);
    return this.producer.publish(ChannelCommandTopic, command.payload.channelId, command, headers);
  }

  /** The command's answer came, or nobody waits for it any more. */
  finished(requestId: string): void {
    this.hop.finished(requestId);
  }
}

/** `{ok:true}` for most commands, `{ok:true, message}` for send and edit. */
export type CommandAck = Ack<{ message?: Message }>;

type Admission = { kind: 'answered'; ack: CommandAck } | { kind: 'queued'; requestId: string; outcome: Promise<PendingOutcome> };

export const unavailable = (message: string): { ok: false; error: ErrorDetail } => ({ ok: false, error: { code: 'unavailable', message } });

@Injectable()
export class CommandService {
  private readonly logger = new Logger('Commands');
  private readonly newId: () => string;
  private readonly now: () => Date;
  /** Per socket: the end of the last admission, which the next one waits for. */
  private readonly admissions = new Map<string, Promise<void>>();

  constructor(
    @Inject(COMMAND_SETTINGS) private readonly settings: CommandSettings,
    private readonly pending: PendingAcks,
    @Inject(CommandPublisher) private readonly publisher: Pick<CommandPublisher, 'publish' | 'finished'>,
    @Inject(SendRateLimiter) private readonly sendLimiter: { consume(userId: string): Promise<RateDecision> },
    /** Not ready until this instance's reply consumer has joined: a reply published before then would be lost. */
    @Inject(RepliesConsumer) private readonly replies: Pick<RepliesConsumer, 'ready'>,
  ) {
    this.newId = settings.newId ?? randomUUID;
    this.now = settings.now ?? (() => new Date());
  }

  /**
   * The acknowledgement to send, or undefined when the socket disconnected meanwhile.
   *
   * Commands of one socket are admitted (checked and handed to the producer) one after another,
   * in the order the socket sent them: a client that sends A then B without waiting must see A
   * stored first. The checks are asynchronous (the rate limit answers through a promise), so without
   * this B's checks could finish first and B reach Kafka ahead of A. Only admission is serial;
   * the answers are awaited side by side.
   */
  async run<E extends CommandEvent>(context: CommandContext, event: E, payload: EventPayload<E>): Promise<CommandAck | undefined> {
    const admitted = await this.inOrder(context.socketId, () => this.admit(context, event, payload));
    if (admitted.kind === 'answered') return admitted.ack;
    const outcome = await admitted.outcome;
    this.publisher.finished(admitted.requestId);
    return this.answer(event, outcome);
  }

  private inOrder<T>(socketId: string, step: () => Promise<T>): Promise<T> {
    const previous = this.admissions.get(socketId) ?? Promise.resolve();
    const current = previous.then(step);
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    this.admissions.set(socketId, tail);
    void tail.then(() => {
      if (this.admissions.get(socketId) === tail) this.admissions.delete(socketId);
    });
    return current;
  }

  private async admit<E extends CommandEvent>(context: CommandContext, event: E, payload: EventPayload<E>): Promise<Admission> {
    const answered = (ack: CommandAck): Admission => ({ kind: 'answered', ack });
    if (!this.replies.ready) return answered(unavailable('the gateway is starting; try again'));
    if (this.pending.countFor(context.socketId) >= this.settings.maxPendingPerSocket) {
      return answered({ ok: false, error: { code: 'rate_limited', message: 'too many commands awaiting an answer on this connection' } });
    }
    if (event === 'message:send') {
      const decision = await this.sendLimiter.consume(context.userId);
      if (!decision.allowed) {
        return answered({ ok: false, error: rateLimited('messages', decision.retryAfterMs) });
      }
    }

    const requestId = this.newId();
    const command = {
      type: COMMAND_TYPES[event],
      commandId: this.newId(),
      userId: context.userId,
      issuedAt: this.now().toISOString(),
      replyTo: { gatewayId: this.settings.gatewayId, requestId },
      payload,
    } as ChannelCommand;
    // Registered before publishing: messaging may answer before `publish` even returns.
    const outcome = this.pending.wait(context.socketId, requestId, this.settings.timeoutMs);
    this.publisher.publish(requestId, command).catch((error: unknown) => {
      this.logger.warn(`could not publish ${command.type}: ${error instanceof Error ? error.message : String(error)}`);
      this.pending.settle(requestId, unavailable('the command could not be queued; try again'));
    });
    return { kind: 'queued', requestId, outcome };
  }

  private answer(event: CommandEvent, outcome: PendingOutcome): CommandAck | undefined {
    switch (outcome.kind) {
      case 'dropped':
        return undefined;
      case 'timeout':
        return unavailable('messaging did not answer in time; try again (message:send is idempotent by clientMsgId)');
      case 'reply': {
        const { result } = outcome;
        if (!result.ok) return { ok: false, error: result.error };
        if (!ANSWERS_WITH_MESSAGE.has(event)) return { ok: true };
        if (!result.message) return unavailable('messaging answered without the message; try again');
        return { ok: true, message: result.message };
      }
    }
  }
}
