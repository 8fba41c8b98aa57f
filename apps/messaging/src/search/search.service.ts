// `GET /api/search`: the caller's channels only (their memberships, read from storage at query
// time, so a user who left a channel stops finding it), or one channel they are a member of.
// A message is found as soon as its send is acknowledged: its terms are in its stored row.
import { Injectable } from '@nestjs/common';
import { SEARCH_LIMITS, type SearchHit, type SearchQuery, type SearchResponse } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { ChannelAccess } from '../channels/channel-access.service';
import { ChannelMembersRepository } from '../channels/channel-members.repository';
import { byRelevanceThenRecency, score } from './search-ranking';
import { SearchRepository } from './search.repository';
import { terms } from '../messages/text-analyzer';

/** Candidates read per channel before ranking. */
const CANDIDATES_PER_CHANNEL = 200;
const CHANNELS_IN_FLIGHT = 8;

@Injectable()
export class SearchService {
  constructor(
    private readonly search: SearchRepository,
    private readonly access: ChannelAccess,
    private readonly members: ChannelMembersRepository,
  ) {}

  async query(caller: AuthenticatedUser, query: SearchQuery): Promise<SearchResponse> {
    const wanted = terms(query.q).slice(0, SEARCH_LIMITS.termsMax);
    if (wanted.length === 0) throw new AppError('invalid', 'q must contain at least one letter or digit');
    let channelIds: string[];
    if (query.channelId) {
      await this.access.membership(query.channelId, caller.id);
      channelIds = [query.channelId];
    } else {
      channelIds = (await this.members.channelsOf(caller.id)).map((c) => c.channelId);
    }

    const hits: SearchHit[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < channelIds.length) {
        const channelId = channelIds[next++];
        const found = await this.search.matching({
          channelId,
          terms: wanted,
          limit: CANDIDATES_PER_CHANNEL,
          ...(query.from ? { senderId: query.from } : {}),
          ...(query.before ? { before: new Date(query.before) } : {}),
          ...(query.after ? { after: new Date(query.after) } : {}),
        });
        // A tombstone has no terms; a row read while its delete lands may still be one.
        for (const message of found) if (!message.deleted) hits.push({ message, score: score(message, wanted) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHANNELS_IN_FLIGHT, channelIds.length) }, worker));
    return { results: hits.sort(byRelevanceThenRecency).slice(0, query.limit) };
  }
}
