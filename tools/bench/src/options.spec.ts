import { LIMITS, parseOptions } from './options';

describe('parseOptions', () => {
  it('reads the scenario and its parameters, kebab-case names and --no- flags', () => {
    const options = parseOptions(['ramp', '--users', '100', '--per-user', '2', '--max-rate', '900', '--no-relay', '--target', 'http://127.0.0.1:8080']);
    expect(options).toMatchObject({ scenario: 'ramp', users: 100, perUser: 2, maxRate: 900, relay: false, target: 'http://127.0.0.1:8080' });
    expect(options.out).toMatch(/^bench\/results\/.*-ramp$/);
  });

  it('refuses unknown scenarios and parameters, and runs outside the bounds', () => {
    expect(() => parseOptions(['soak'])).toThrow(/usage/);
    expect(() => parseOptions(['fanout', '--speed', '3'])).toThrow(/unknown parameter --speed/);
    expect(() => parseOptions(['fanout', '--users', String(LIMITS.users + 1)])).toThrow(/--users/);
    expect(() => parseOptions(['fanout', '--rate', '20000', '--duration', '600'])).toThrow(/bound/);
    expect(() => parseOptions(['fanout', '--target', 'http://example.com:8080'])).toThrow(/loopback/);
  });
});
