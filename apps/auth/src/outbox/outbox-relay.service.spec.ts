import { Logger } from '@nestjs/common';
import { UserRegisteredTopic } from '@chat/contracts';
import { FakeTransactions, InMemoryOutbox } from '../testing/fakes';
import { EventPublisher } from './event-publisher';
import { OutboxRelay } from './outbox-relay.service';

class RecordingPublisher extends EventPublisher {
  published: { topic: string; key: string; value: unknown }[] = [];
  failures = 0;

  constructor() {
    super(undefined as never, undefined as never);
  }

  override publish(topic: string, key: string, value: unknown): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('There is no leader for this topic-partition'));
    }
    this.published.push({ topic, key, value });
    return Promise.resolve();
  }
}

const event = (n: number) => ({
  userId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  username: `user${n}`,
  displayName: `User ${n}`,
  registeredAt: '2030-01-01T00:00:00.000Z',
});

describe('OutboxRelay', () => {
  // The warnings these cases provoke on purpose are not news.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  let outbox: InMemoryOutbox;
  let publisher: RecordingPublisher;
  let transactions: FakeTransactions;
  let relay: OutboxRelay;

  beforeEach(async () => {
    outbox = new InMemoryOutbox();
    publisher = new RecordingPublisher();
    transactions = new FakeTransactions();
    relay = new OutboxRelay(outbox, publisher, transactions);
    for (let n = 1; n <= 3; n++) await outbox.enqueue(transactions.tx, UserRegisteredTopic, event(n).userId, event(n));
  });

  afterEach(() => relay.onModuleDestroy());

  it('publishes queued events in order and removes them', async () => {
    await relay.drain();
    expect(publisher.published.map((p) => p.key)).toEqual([1, 2, 3].map((n) => event(n).userId));
    expect(publisher.published[0]).toEqual({ topic: 'chat.user.registered.v1', key: event(1).userId, value: event(1) });
    expect(outbox.events).toHaveLength(0);
  });

  it('stops at a failure, keeps that event and the ones after it with the error noted, and sends them on the next drain', async () => {
    publisher.failures = 1;
    await relay.drain();
    expect(publisher.published).toHaveLength(0);
    expect(outbox.events).toHaveLength(3);
    expect(outbox.events[0]).toEqual(expect.objectContaining({ attempts: 1, lastError: 'There is no leader for this topic-partition' }));
    await relay.drain();
    expect(publisher.published).toHaveLength(3);
    expect(outbox.events).toHaveLength(0);
  });

  it('runs one drain at a time, and drains again for nudges that came meanwhile', async () => {
    relay.nudge();
    relay.nudge();
    await outbox.enqueue(transactions.tx, UserRegisteredTopic, event(4).userId, event(4));
    relay.nudge();
    await new Promise((resolve) => setImmediate(resolve));
    await relay.onModuleDestroy();
    expect(publisher.published.map((p) => p.key)).toEqual([1, 2, 3, 4].map((n) => event(n).userId));
  });
});
