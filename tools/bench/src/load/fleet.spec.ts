import { shareOut } from './fleet';
import { type SocketSpec } from './protocol';

const sockets = (n: number): SocketSpec[] => Array.from({ length: n }, (_, i) => ({ userId: `u${i}`, token: `t${i}`, channels: [] }));

describe('shareOut', () => {
  it('gives each worker every W-th socket and alternates gateways within each worker\'s share', () => {
    const shares = shareOut(sockets(8), 2, ['http://g1', 'http://g2']);

    expect(shares.map((share) => share.map((s) => `${s.userId}@${s.origin.slice(7)}`))).toEqual([
      ['u0@g1', 'u2@g2', 'u4@g1', 'u6@g2'],
      ['u1@g1', 'u3@g2', 'u5@g1', 'u7@g2'],
    ]);
  });

  it('spreads evenly over three gateways and puts everything on the one origin when there is one', () => {
    const perGateway = new Map<string, number>();
    for (const s of shareOut(sockets(300), 2, ['a', 'b', 'c']).flat()) perGateway.set(s.origin, (perGateway.get(s.origin) ?? 0) + 1);
    expect(perGateway).toEqual(new Map([['a', 100], ['b', 100], ['c', 100]]));

    const single = shareOut(sockets(3), 2, ['http://relay']);
    expect(single.flat().map((s) => s.origin)).toEqual(['http://relay', 'http://relay', 'http://relay']);
    expect(single.map((share) => share.length)).toEqual([2, 1]);
  });
});
