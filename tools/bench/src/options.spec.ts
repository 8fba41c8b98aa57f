import { LIMITS, parseOptions, rampRates } from './options';

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

  it('spreads users over workspaces of 100 by default and refuses fewer channels than workspaces', () => {
    expect(parseOptions(['fanout'])).toMatchObject({ workspaceSize: 100, warmup: 5 });
    expect(() => parseOptions(['fanout', '--users', '1000', '--workspace-size', '10', '--channels', '50'])).toThrow(/--channels must be at least the number of workspaces \(100/);
    expect(() => parseOptions(['fanout', '--users', '200', '--channels', '4', '--per-user', '3'])).toThrow(/--per-user/);
  });

  it('starts a ramp at 20 sends/s, then every multiple of --step', () => {
    const options = parseOptions(['ramp', '--max-rate', '1000']);
    expect(options.rate).toBe(20);
    expect(rampRates(options)).toEqual([20, 250, 500, 750, 1000]);
    expect(rampRates({ rate: 250, step: 250, maxRate: 750 })).toEqual([250, 500, 750]);
    expect(parseOptions(['fanout']).rate).toBe(1000);
  });
});
