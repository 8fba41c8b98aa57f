import { bearerToken } from './access-token';

describe('bearerToken', () => {
  it('reads the token of a Bearer header in any case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc')).toBe('abc');
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', ['Bearer a']])('finds none in %p', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
