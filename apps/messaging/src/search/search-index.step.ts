// After-store step: indexes new messages for search (message_search), off the send path. One
// concurrent write per message; a replay rewrites the same cells with the same write time.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { micros } from '../common/cql-values';
import { MessageBuckets } from '../messages/message-buckets';
import { type AfterStoreStep } from '../pipeline/send-steps';
import { type SearchEntry, SearchRepository } from './search.repository';
import { terms } from './text-analyzer';

@Injectable()
export class SearchIndexStep implements AfterStoreStep {
  readonly name = 'search-index';

  constructor(
    private readonly search: SearchRepository,
    private readonly buckets: MessageBuckets,
  ) {}

  async apply(messages: readonly Message[]): Promise<void> {
    await Promise.all(
      messages
        .filter((m) => !m.deleted && m.text.length > 0)
        .map((m) => this.search.index(searchEntry(m, this.buckets.of(m.seq)), micros(new Date(m.createdAt)))),
    );
  }
}

/** The index row of a message (also what an edit rewrites). */
export function searchEntry(message: Pick<Message, 'channelId' | 'seq' | 'senderId' | 'createdAt' | 'text'>, bucket: number): SearchEntry {
  return {
    channelId: message.channelId,
    bucket,
    seq: message.seq,
    senderId: message.senderId,
    createdAt: new Date(message.createdAt),
    terms: terms(message.text),
  };
}
