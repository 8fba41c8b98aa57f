// Stores a `message.send` command with a per-channel seq that is unique and gap-free, exactly
// once per clientMsgId, however often the command is delivered and whoever else is processing it.
//
// Commands arrive on chat.channel.command.v1 keyed by channel id, so normally one consumer handles
// a channel, in order. But a zombie (a consumer that lost its partitions in a rebalance and has
// not noticed yet) or a redelivery after a crash may run the same command twice, concurrently or
// later, and two gateways may publish two commands carrying the same clientMsgId. Nothing here
// relies on being the only writer; Cassandra lightweight transactions (Paxos, serial consistency
// LOCAL_SERIAL, commit at LOCAL_QUORUM) fence every decision that must be taken once:
//
// 1. Check that the sender is a member of the channel (ChannelAccess: not_found / forbidden).
// 2. Claim the clientMsgId: INSERT INTO client_msgs (channel_id, client_msg_id, message_id,
//    base_seq, command_id) IF NOT EXISTS, with a fresh message id X and base_seq B = the channel's
//    last seq as known now. Every seq <= B is already taken by another message, so X, wherever
//    it ends up, has seq > B.
//    - Not applied, seq set: the message exists. A different command (a duplicate send) gets the
//      stored message and publishes nothing. The same command (commandId equal: a redelivery that
//      may have crashed before publishing) redoes steps 4 and 5 with it.
//    - Not applied, seq null: an earlier attempt stopped midway, or is still running (a zombie).
//      Adopt its X and B and go on; step 3 finds X if that attempt already wrote it.
// 3. Assign the seq, fenced: seq = last + 1, `INSERT INTO messages ... IF NOT EXISTS` on the
//    primary key ((channel_id, bucket), seq). A seq row exists only once its message exists, and
//    a writer only writes last + 1 after seeing the row `last`, so seqs stay gap-free and unique.
//    If not applied, someone else holds that seq: if the row is X (another runner of this very
//    command won), that is our seq; otherwise refresh `last` from storage and retry. Before each
//    write at last + 1 the runner has checked that none of the seqs in (B, last] holds X (the
//    rows it lost on, plus a scan of whatever else appeared after B), so X is never stored twice:
//    a concurrent runner writing X at a lower seq would have had to win a row this runner saw
//    holding another message, and at the same seq the LWT lets only one of them in.
// 4. Finalize (idempotent plain writes, in parallel): client_msgs.seq = seq, the channel_heads
//    hint (a monotonic max: written USING TIMESTAMP seq), messages_by_id (id -> channel, seq).
//    `send` returns after step 3; ChannelCommandService runs `finalize` side by side with the
//    ledger and thread writes of MessageChanges.afterSend (all idempotent, none reads another).
// 5. Publish chat.message.created.v1 {message} (key channel id) and the command's reply (key
//    replyTo.gatewayId); ChannelCommandService does this. The handler returns only after both were
//    acknowledged, and the Kafka consumer commits the offset only after the handler returned. A
//    crash between 3 and 5 replays the command: step 2 or 3 recognises X and the event is published
//    again for the same seq, so consumers of message.created deduplicate by (channelId, seq).
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message, type MessageFile } from '@chat/contracts';
import { ChannelAccess } from '../channels/channel-access.service';
import { Clock } from '../common/clock';
import { IdGenerator } from '../common/id-generator';
import { ChannelHeads } from './channel-heads';
import { ChannelHeadsRepository } from './channel-heads.repository';
import { ClientMsgsRepository } from './client-msgs.repository';
import { MessageBuckets } from './message-buckets';
import { type MessageDraft, MessagesRepository } from './messages.repository';

export type SendCommand = Extract<ChannelCommand, { type: 'message.send' }>;

export interface SendOutcome {
  message: Message;
  /** Whether message.created must be published (false for a duplicate send of another command). */
  announce: boolean;
}

/** Columns derived from the text (see MessageChanges.prepareSend). */
export interface Derived {
  terms: readonly string[];
  mentions: readonly string[];
}

const NO_DERIVED: Derived = { terms: [], mentions: [] };

/** Losing this many seqs in a row means something is badly wrong; the consumer retries later. */
const MAX_SEQ_ATTEMPTS = 50;

@Injectable()
export class SendMessageService {
  constructor(
    private readonly access: ChannelAccess,
    private readonly clientMsgs: ClientMsgsRepository,
    private readonly messages: MessagesRepository,
    private readonly headHints: ChannelHeadsRepository,
    private readonly heads: ChannelHeads,
    private readonly buckets: MessageBuckets,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  /**
   * Steps 1-3. `files`: the payload's fileIds as checked by AttachmentsService (files/); `derived`:
   * the search terms and stored mentions of the text (MessageChanges.prepareSend), written with the
   * row. When `announce` is true the caller must `finalize` the message before announcing it.
   */
  async send(command: SendCommand, files: readonly MessageFile[] = [], derived: Derived = NO_DERIVED): Promise<SendOutcome> {
    const { channelId, clientMsgId } = command.payload;
    await this.access.membership(channelId, command.userId);

    const known = await this.heads.last(channelId);
    const fresh = { messageId: this.ids.newId(), baseSeq: known, commandId: command.commandId };
    const claim = await this.clientMsgs.claim(channelId, clientMsgId, fresh);
    const owned = claim.applied ? fresh : claim.existing;

    if (!claim.applied && claim.existing.seq !== null) {
      const seq = claim.existing.seq;
      const stored = await this.messages.get({ channelId, bucket: this.buckets.of(seq) }, seq);
      // A claim carries a seq only after its message row was written: absent means a replica lags.
      if (!stored) throw new Error(`message ${channelId}#${seq} of clientMsgId ${clientMsgId} is not readable yet`);
      this.heads.observe(channelId, seq);
      if (claim.existing.commandId !== command.commandId) return { message: stored, announce: false };
      return { message: stored, announce: true };
    }

    const draft: MessageDraft = {
      id: owned.messageId,
      channelId,
      senderId: command.userId,
      clientMsgId,
      text: command.payload.text,
      createdAt: this.clock.now().toISOString(),
      ...(command.payload.threadId ? { threadId: command.payload.threadId } : {}),
      ...(files.length ? { files: [...files], fileIds: files.map((f) => f.id) } : {}),
      ...(derived.mentions.length ? { mentions: [...derived.mentions] } : {}),
      terms: [...derived.terms],
    };
    return { message: await this.store(draft, owned.baseSeq), announce: true };
  }

  /** Step 3: writes the draft at the channel's next seq, or finds where another runner wrote it. */
  private async store(draft: MessageDraft, baseSeq: number): Promise<Message> {
    const { channelId } = draft;
    // Every seq <= checked is known not to hold this message.
    let checked = baseSeq;
    let last = Math.max(await this.heads.last(channelId), baseSeq);
    for (let attempt = 1; attempt <= MAX_SEQ_ATTEMPTS; attempt++) {
      if (last > checked) {
        const found = await this.find(channelId, draft.id, checked + 1, last);
        if (found) return found;
        checked = last;
      }
      const seq = last + 1;
      const result = await this.messages.insertIfAbsent({ channelId, bucket: this.buckets.of(seq) }, seq, draft);
      this.heads.observe(channelId, seq);
      if (result.applied) return { ...toMessage(draft), seq };
      if (result.existing.id === draft.id) return result.existing;
      checked = Math.max(checked, seq);
      last = await this.heads.refresh(channelId, seq);
    }
    throw new Error(`could not assign a seq in channel ${channelId} after ${MAX_SEQ_ATTEMPTS} attempts`);
  }

  /**
   * The message `id` among seqs from..to of the channel. LOCAL_QUORUM reads suffice: `to` was
   * seen committed, and a row is only written after the row below it was seen committed, so only
   * a row above `to` can still be in an unfinished Paxos round, and the next LWT completes it.
   */
  private async find(channelId: string, id: string, from: number, to: number): Promise<Message | undefined> {
    for (const span of this.buckets.spans(from, to)) {
      const rows = await this.messages.between({ channelId, bucket: span.bucket }, span.from, span.to);
      const found = rows.find((row) => row.id === id);
      if (found) return found;
    }
    return undefined;
  }

  /** Step 4. */
  async finalize(message: Message): Promise<void> {
    await Promise.all([
      this.clientMsgs.setSeq(message.channelId, message.clientMsgId, message.seq),
      this.headHints.advance(message.channelId, message.seq),
      this.messages.indexById(message.id, { channelId: message.channelId, seq: message.seq }),
    ]);
  }
}

function toMessage(draft: MessageDraft): Omit<Message, 'seq'> {
  const { fileIds: _fileIds, terms: _terms, ...message } = draft;
  return message;
}
