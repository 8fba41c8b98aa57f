import { type TypingEvent } from '@chat/contracts';
import { MetricsService } from '@chat/service-kit';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { type ThrottleStore, TypingService } from './typing.service';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';

function setup(options: { member?: boolean; admitted?: boolean[]; storeDown?: boolean; relayDown?: boolean } = {}) {
  const relayed: TypingEvent[] = [];
  const admitted = [...(options.admitted ?? [true])];
  const keys: string[] = [];
  const store: ThrottleStore = {
    status: 'ready',
    set: (key) => {
      keys.push(key);
      return options.storeDown ? Promise.reject(new Error('redis down')) : Promise.resolve((admitted.shift() ?? false) ? 'OK' : null);
    },
  };
  const relay = {
    available: !options.relayDown,
    publish: (event: TypingEvent) => {
      relayed.push(event);
      return Promise.resolve();
    },
  };
  const metrics = new GatewayMetrics(new MetricsService());
  const observed = jest.spyOn(metrics.typing, 'inc');
  const rooms: string[] = [];
  const sockets = {
    socketIn: (_socketId: string, room: string) => {
      rooms.push(room);
      return options.member ?? true;
    },
  };
  const service = new TypingService({ TYPING_THROTTLE_MS: 2_000 }, sockets, store, relay, metrics);
  const outcomes = () => observed.mock.calls.map(([labels]) => (labels as { outcome: string }).outcome);
  return { service, relayed, outcomes, keys, rooms };
}

describe('TypingService', () => {
  it('relays a member\'s typing as {channelId, userId}', async () => {
    const { service, relayed, keys, rooms } = setup();
    await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(relayed).toEqual([{ channelId: CHANNEL, userId: USER }]);
    expect(rooms).toEqual([`ch:${CHANNEL}`]);
    expect(keys).toEqual([`typing:${USER}:${CHANNEL}`]);
  });

  it('acknowledges but drops a repeat inside the throttle window', async () => {
    const { service, relayed, outcomes } = setup({ admitted: [true, false, false] });
    for (let i = 0; i < 3; i++) await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(relayed).toHaveLength(1);
    expect(outcomes()).toEqual(['relayed', 'throttled', 'throttled']);
  });

  it('answers not_found for a channel the socket is not in, relaying nothing', async () => {
    const { service, relayed } = setup({ member: false });
    await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(relayed).toEqual([]);
  });

  it('answers unavailable when the throttle store is unreachable', async () => {
    const { service } = setup({ storeDown: true });
    await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers unavailable at once, asking no store, while the relay is down', async () => {
    const { service, keys, outcomes } = setup({ relayDown: true });
    await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('typing is off') as string } });
    expect(keys).toEqual([]);
    expect(outcomes()).toEqual(['failed']);
  });
});
