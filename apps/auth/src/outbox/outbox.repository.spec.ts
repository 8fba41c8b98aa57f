import { UserRegisteredTopic } from '@chat/contracts';
import { type QueryConfig } from 'pg';
import { type Queryable } from '../common/database';
import { OutboxRepository } from './outbox.repository';

describe('OutboxRepository.enqueue', () => {
  const statements: QueryConfig[] = [];
  const tx: Queryable = {
    query: (config: QueryConfig) => {
      statements.push(config);
      return Promise.resolve({ rows: [], rowCount: 1, command: 'INSERT', oid: 0, fields: [] });
    },
  };
  const value = { userId: '6f1c1e0e-4a8b-4c1e-9f5a-1d2b3c4d5e6f', username: 'alice', displayName: 'Alice', registeredAt: '2030-01-01T00:00:00.000Z' };

  beforeEach(() => statements.splice(0));

  it('writes the topic name, key and validated payload', async () => {
    await new OutboxRepository().enqueue(tx, UserRegisteredTopic, value.userId, value);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.values).toEqual(['chat.user.registered.v1', value.userId, JSON.stringify(value)]);
  });

  it('refuses a payload its topic does not accept, before writing anything', async () => {
    await expect(new OutboxRepository().enqueue(tx, UserRegisteredTopic, 'k', { ...value, userId: 'not-a-uuid' })).rejects.toThrow();
    expect(statements).toHaveLength(0);
  });
});
