// The outbox table: events written in the transaction of the change they announce, read back in
// order by the relay. Claiming uses FOR UPDATE SKIP LOCKED, so relays of several instances never
// publish the same row at the same time.
import { Injectable } from '@nestjs/common';
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { execute, type Queryable, statement } from '../common/database';

export interface OutboxEvent {
  id: string;
  topic: string;
  key: string;
  payload: unknown;
}

const ENQUEUE = statement('outbox-enqueue', 'INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3)');
const CLAIM = statement('outbox-claim', 'SELECT id, topic, key, payload FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED');
const DELETE = statement('outbox-delete', 'DELETE FROM outbox WHERE id = ANY($1::bigint[])');
const RECORD_FAILURE = statement('outbox-record-failure', 'UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1');

@Injectable()
export class OutboxRepository {
  /** Validates the value against its topic (a bad payload is a bug, refused at its source) and queues it. */
  async enqueue<T extends TopicDefinition>(tx: Queryable, topic: T, key: string, value: TopicValue<T>): Promise<void> {
    const payload: unknown = topic.schema.parse(value);
    await execute(tx, ENQUEUE, [topic.name, key, JSON.stringify(payload)]);
  }

  /** The oldest events not being published by another relay, locked until the transaction ends. */
  async claim(tx: Queryable, limit: number): Promise<OutboxEvent[]> {
    const { rows } = await execute<OutboxEvent>(tx, CLAIM, [limit]);
    return rows;
  }

  async delete(tx: Queryable, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await execute(tx, DELETE, [ids]);
  }

  async recordFailure(tx: Queryable, id: string, error: string): Promise<void> {
    await execute(tx, RECORD_FAILURE, [id, error.slice(0, 1000)]);
  }
}
