import { RequestQueue } from './kafkajs-request-queue.fix';

type Queue = InstanceType<typeof RequestQueue & (new (options: object) => { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: unknown; checkPendingRequests(): void; destroy(): void })>;

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(): Queue {
  const Ctor = RequestQueue as unknown as new (options: object) => Queue;
  return new Ctor({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'b:9092', logger });
}

describe('kafkajs RequestQueue with the pending-check fix', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing is pending (kafkajs 2.2.4 re-armed a 1 ms timer forever)', () => {
    const q = queue();
    const checks = jest.spyOn(q, 'checkPendingRequests');
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    jest.advanceTimersByTime(1_000);
    expect(checks).toHaveBeenCalledTimes(1);
    q.destroy();
  });

  it('checks pending requests again when a throttle ends', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 250;
    q.pending.push({ fake: true });
    const checks = jest.spyOn(q, 'checkPendingRequests').mockImplementation(() => undefined);
    (q as unknown as { scheduleCheckPendingRequests(): void }).scheduleCheckPendingRequests();
    jest.advanceTimersByTime(249);
    expect(checks).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(checks).toHaveBeenCalledTimes(1);
    q.destroy();
  });
});
