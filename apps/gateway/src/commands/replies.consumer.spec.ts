import { routeReply } from './replies.consumer';

const reply = (gatewayId: string, requestId: string) => ({
  replyTo: { gatewayId, requestId },
  commandId: '5d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  result: { ok: true as const },
});

describe('routeReply', () => {
  it('settles replies addressed to this instance', () => {
    const settle = jest.fn(() => true);
    expect(routeReply(reply('gw-1', 'r1'), 'gw-1', { settle })).toBe('settled');
    expect(settle).toHaveBeenCalledWith('r1', { ok: true });
  });

  it('ignores replies addressed to other instances without touching pending requests', () => {
    const settle = jest.fn(() => true);
    expect(routeReply(reply('gw-2', 'r1'), 'gw-1', { settle })).toBe('other-instance');
    expect(settle).not.toHaveBeenCalled();
  });

  it('reports replies nobody waits for any more', () => {
    expect(routeReply(reply('gw-1', 'gone'), 'gw-1', { settle: () => false })).toBe('unknown-request');
  });
});
