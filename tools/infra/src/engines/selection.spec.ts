import { type JavaEngine } from './types';
import { parseBusChoice, selectEngines } from './selection';

const engines = [{ name: 'kafka' }, { name: 's3' }, { name: 'cassandra' }] as JavaEngine[];

describe('selectEngines', () => {
  it('covers both brokers by default, one of them when a bus is chosen', () => {
    expect(selectEngines('both', engines)).toEqual({ java: engines, rabbitmq: true });
    expect(selectEngines('kafka', engines)).toEqual({ java: engines, rabbitmq: false });
    expect(selectEngines('rabbitmq', engines)).toEqual({ java: [engines[1], engines[2]], rabbitmq: true });
  });
});

describe('parseBusChoice', () => {
  it('reads --bus in both forms and refuses other values', () => {
    expect(parseBusChoice([])).toBe('both');
    expect(parseBusChoice(['--bus', 'rabbitmq'])).toBe('rabbitmq');
    expect(parseBusChoice(['--bus=kafka'])).toBe('kafka');
    expect(() => parseBusChoice(['--bus', 'nats'])).toThrow('--bus must be kafka, rabbitmq or both (got nats)');
    expect(() => parseBusChoice(['--bus'])).toThrow('--bus must be');
  });
});
