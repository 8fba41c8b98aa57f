// A PostgreSQL outage while membership and share events arrive: files reaches PostgreSQL through a
// proxy the spec takes down for longer than the old retry window (5 attempts, ~1.5 s, after which
// records were dead-lettered and lost). The consumers must pause and apply every record once the
// database is back, and park nothing in a dead-letter topic.
import { randomUUID } from 'node:crypto';
import { MetricsService } from '@chat/service-kit';
import { freePort, sleep, TcpProxy, waitFor } from '@chat/testing';
import { FilesTestApp } from '../testing/files-test-app';

jest.setTimeout(180_000);

const POSTGRES = new URL(process.env['POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432');

/**
 * The value of a Prometheus series of files' registry (what its internal METRICS_PORT serves) whose
 * labels contain `labels`, summed; 0 when absent.
 */
async function metric(files: FilesTestApp, name: string, labels: string): Promise<number> {
  const text = await files.app.get(MetricsService).registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('files consumers during a PostgreSQL outage', () => {
  let proxy: TcpProxy;
  let files: FilesTestApp;

  beforeAll(async () => {
    proxy = new TcpProxy(await freePort(), POSTGRES.hostname, Number(POSTGRES.port || 5432));
    await proxy.up();
    const admin = new URL(POSTGRES.href);
    admin.port = String(proxy.port);
    files = await FilesTestApp.start({}, { postgresAdmin: admin.href.replace(/\/$/, '') });
  });

  afterAll(async () => {
    await proxy?.up();
    await files?.stop();
    await proxy?.down();
  });

  it('pauses instead of dead-lettering, and applies every membership event once the database is back', async () => {
    const channelId = randomUUID();
    const [ada, bob, cyd] = [randomUUID(), randomUUID(), randomUUID()];
    await files.membership(channelId, ada, 'joined');
    await waitFor('the first join', async () => (await files.channelMembers(channelId)).length === 1);

    await proxy.down();
    await files.membership(channelId, bob, 'joined');
    await files.membership(channelId, cyd, 'joined');
    await files.membership(channelId, ada, 'left');
    // Long enough for the old policy to have given every record up several times over.
    await waitFor('the consumer to hit the outage', async () => (await metric(files, 'kafka_consumer_handler_failures_total', '.members"')) >= 3, 20_000);
    await sleep(3_000);
    // An engine outage makes the service unready, never unlive: nothing would be gained by restarting it.
    expect((await fetch(`${files.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${files.url}/health/ready`)).status).toBe(503);
    await proxy.up();

    await waitFor('the events held during the outage to be applied', async () => {
      const members = await files.channelMembers(channelId).catch(() => []);
      return members.length === 2 && members;
    });
    expect(await files.channelMembers(channelId)).toEqual([bob, cyd].sort());
    expect(await metric(files, 'kafka_consumer_dead_letters_total', '')).toBe(0);
    await waitFor('no partition left paused', async () => (await metric(files, 'kafka_consumer_paused_partitions', '.members"')) === 0);
  });
});
