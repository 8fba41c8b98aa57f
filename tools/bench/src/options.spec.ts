import { LIMITS, parseOptions, rampRates } from './options';

describe('parseOptions', () => {
  it('reads the scenario and its parameters, kebab-case names and --no- flags', () => {
    const options = parseOptions(['ramp', '--users', '100', '--per-user', '2', '--max-rate', '900', '--no-relay', '--target', 'http://127.0.0.1:8080']);
    expect(options).toMatchObject({ scenario: 'ramp', users: 100, perUser: 2, maxRate: 900, relay: false, target: 'http://127.0.0.1:8080' });
    expect(options.directHop).toBe(true);
    expect(parseOptions(['fanout', '--no-direct-hop']).directHop).toBe(false);
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

  it('starts one gateway and one messaging instance unless told, up to 8 of each, for the load scenarios of a started system', () => {
    expect(parseOptions(['fanout'])).toMatchObject({ gateways: 1, messaging: 1 });
    expect(parseOptions(['fanout', '--gateways', '2', '--messaging', '3'])).toMatchObject({ gateways: 2, messaging: 3 });
    expect(parseOptions(['ramp', '--max-rate', '1000', '--gateways', '2'])).toMatchObject({ gateways: 2, messaging: 1 });
    expect(() => parseOptions(['fanout', '--gateways', '0'])).toThrow(/--gateways must be within 1…8/);
    expect(() => parseOptions(['fanout', '--messaging', '9'])).toThrow(/--messaging must be within 1…8/);
    expect(() => parseOptions(['fanout', '--gateways', '1.5'])).toThrow(/whole number/);
    expect(() => parseOptions(['fanout', '--gateways', '2', '--target', 'http://127.0.0.1:8080'])).toThrow(/--target system has its own/);
    expect(() => parseOptions(['idle-sockets', '--messaging', '2'])).toThrow(/apply to fanout and ramp/);
  });

  it('runs on the bus BUS names unless --bus says kafka, rabbitmq or both; both doubles the sends and needs a started system', () => {
    expect(parseOptions(['fanout'], new Date(), {}).bus).toBe('kafka');
    expect(parseOptions(['fanout'], new Date(), { BUS: 'rabbitmq' }).bus).toBe('rabbitmq');
    expect(parseOptions(['fanout', '--bus', 'both'], new Date(), { BUS: 'rabbitmq' }).bus).toBe('both');
    expect(() => parseOptions(['fanout', '--bus', 'amqp'])).toThrow(/--bus must be kafka, rabbitmq, both/);
    expect(() => parseOptions(['fanout', '--bus', 'both', '--target', 'http://127.0.0.1:8080'])).toThrow(/--target system runs on the bus/);
    // 1,000/s × 600 s with the relay is 1.2 M (within 2 M); on both buses 2.4 M.
    expect(parseOptions(['fanout', '--duration', '600']).duration).toBe(600);
    expect(() => parseOptions(['fanout', '--duration', '600', '--bus', 'both'])).toThrow(/once per bus; the bound is/);
  });
});
