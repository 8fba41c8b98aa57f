import { type TypingEvent } from '@chat/contracts';
import { TypingService } from './typing.service';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';

function setup(options: { member?: boolean; admitted?: boolean[]; storeDown?: boolean } = {}) {
  const relayed: TypingEvent[] = [];
  const outcomes: string[] = [];
  const admitted = [...(options.admitted ?? [true])];
  const service = new TypingService({
    isMember: () => options.member ?? true,
    admit: () => (options.storeDown ? Promise.reject(new Error('redis down')) : Promise.resolve(admitted.shift() ?? false)),
    relay: (event) => {
      relayed.push(event);
      return Promise.resolve();
    },
    observe: (outcome) => outcomes.push(outcome),
  });
  return { service, relayed, outcomes };
}

describe('TypingService', () => {
  it('relays a member\'s typing as {channelId, userId}', async () => {
    const { service, relayed } = setup();
    await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(relayed).toEqual([{ channelId: CHANNEL, userId: USER }]);
  });

  it('acknowledges but drops a repeat inside the throttle window', async () => {
    const { service, relayed, outcomes } = setup({ admitted: [true, false, false] });
    for (let i = 0; i < 3; i++) await expect(service.typing('sock', USER, { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(relayed).toHaveLength(1);
    expect(outcomes).toEqual(['relayed', 'throttled', 'throttled']);
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
});
