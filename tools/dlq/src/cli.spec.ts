// The command line's refusals, before anything reaches Kafka (the replay itself runs against the
// real broker in replay.int-spec.ts).
import { main, USAGE } from './cli';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} } };
}

describe('dlq:replay command line', () => {
  it('prints the usage on --help and exits 0', async () => {
    const { out, io: cli } = io();
    await expect(main(['--help'], cli)).resolves.toBe(0);
    expect(out).toEqual([USAGE]);
  });

  it.each([
    [[], '--topic is required'],
    [['--topic', 'chat.x.v1', '--reason', 'bad'], '--reason must be'],
    [['--topic', 'chat.x.v1', '--unknown'], "Unknown option '--unknown'"],
  ])('refuses %j with exit code 2 and the usage', async (argv, message) => {
    const { err, io: cli } = io();
    await expect(main(argv, cli)).resolves.toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('usage: npm run dlq:replay');
  });
});
