import { parseOptions } from './options';

describe('parseOptions', () => {
  it('defaults to one gateway on 8080 with fixed ports', () => {
    expect(parseOptions([], {})).toEqual({ gateways: 1, port: 8080, freePorts: false, run: null, build: true, stateFile: null, bus: 'kafka', cluster: false });
    expect(parseOptions([], { CHAT_PORT: '9000' }).port).toBe(9000);
  });

  it('reads every switch, in both --flag value and --flag=value forms', () => {
    expect(parseOptions(['--gateways', '2', '--port=8181', '--run', 'web1', '--no-build', '--state-file', '/tmp/s.json'], {})).toEqual({
      gateways: 2,
      port: 8181,
      freePorts: true,
      run: 'web1',
      build: false,
      stateFile: '/tmp/s.json',
      bus: 'kafka',
      cluster: false,
    });
  });

  it('takes the bus from --bus, else from BUS', () => {
    expect(parseOptions(['--bus', 'rabbitmq'], {}).bus).toBe('rabbitmq');
    expect(parseOptions([], { BUS: 'rabbitmq' }).bus).toBe('rabbitmq');
    expect(parseOptions(['--bus=kafka'], { BUS: 'rabbitmq' }).bus).toBe('kafka');
    expect(() => parseOptions(['--bus', 'nats'], {})).toThrow('--bus must be kafka or rabbitmq (got nats)');
    expect(() => parseOptions([], { BUS: 'sqs' })).toThrow('BUS must be kafka or rabbitmq (got sqs)');
  });

  it('--cluster isolates its data as the run "cluster" on the usual ports, unless a run is named', () => {
    expect(parseOptions(['--cluster'], {})).toMatchObject({ cluster: true, run: 'cluster', freePorts: false });
    expect(parseOptions(['--cluster', '--run', 'demo'], {})).toMatchObject({ cluster: true, run: 'demo', freePorts: true });
  });

  it('refuses bad values with the usage', () => {
    expect(() => parseOptions(['--gateways', '0'], {})).toThrow('--gateways must be a positive integer');
    expect(() => parseOptions(['--run', 'Bad Name'], {})).toThrow('--run must be');
    expect(() => parseOptions(['--what'], {})).toThrow(/unknown option --what[\s\S]*usage/);
    expect(() => parseOptions(['--port'], {})).toThrow('--port needs a value');
  });
});
