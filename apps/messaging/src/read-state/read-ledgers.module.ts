// The read markers and unread ledgers alone (storage), below the features that write the ledgers
// (threads, mentions, edits) and the read state that counts with them (ReadStateModule).
import { Module } from '@nestjs/common';
import { ReadMarkersRepository } from './read-markers.repository';
import { UnreadLedgerRepository } from './unread-ledger.repository';

@Module({ providers: [ReadMarkersRepository, UnreadLedgerRepository], exports: [ReadMarkersRepository, UnreadLedgerRepository] })
export class ReadLedgersModule {}
