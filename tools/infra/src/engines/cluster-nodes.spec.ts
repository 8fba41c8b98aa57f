import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { infraLayout } from '../layout';
import { kafkaClusterId } from './cluster-nodes';

describe('kafkaClusterId', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cluster-id-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('gives the three nodes prepared side by side on a first start one id, kept for later starts', async () => {
    const layout = infraLayout(root);
    await mkdir(path.dirname(layout.confFile('kafka-cluster.id')), { recursive: true });
    const ids = await Promise.all([1, 2, 3].map(() => kafkaClusterId({ layout })));
    expect(new Set(ids).size).toBe(1);
    expect((await readFile(layout.confFile('kafka-cluster.id'), 'utf8')).trim()).toBe(ids[0]);
    expect(await kafkaClusterId({ layout: infraLayout(root) })).toBe(ids[0]);
  });
});
