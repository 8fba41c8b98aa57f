import { RecencyMap } from './recency-map';

describe('RecencyMap', () => {
  it('evicts the least recently used entries above capacity (a get counts as a use)', () => {
    const evicted: string[] = [];
    const map = new RecencyMap<string, number>(2, () => true, (key) => evicted.push(key));
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.trim()).toBe(1);
    expect(evicted).toEqual(['b']);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });

  it('skips entries that may not go (moving them to the newest end) and looks at a bounded number', () => {
    const busy = new Set(['a', 'b']);
    const map = new RecencyMap<string, number>(1, (key) => !busy.has(key));
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 0);
    expect(map.trim(2)).toBe(0); // a and b looked at, both busy
    expect([...map.keys()]).toEqual(['c', 'd', 'a', 'b']);
    expect(map.trim(2)).toBe(2);
    expect([...map.keys()]).toEqual(['a', 'b']);
    busy.clear();
    expect(map.trim()).toBe(1);
    expect(map.size).toBe(1);
  });
});
