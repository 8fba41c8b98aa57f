import { ClusterProbe, type ProbeAdmin } from './kafka.readiness';

class FakeAdmin implements ProbeAdmin {
  reachable = true;
  hang = false;
  connects = 0;
  disconnects = 0;
  describes = 0;
  connect(): Promise<void> {
    this.connects++;
    return this.reachable ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'));
  }
  disconnect(): Promise<void> {
    this.disconnects++;
    return Promise.resolve();
  }
  describeCluster(): Promise<unknown> {
    this.describes++;
    if (this.hang) return new Promise(() => undefined);
    return this.reachable ? Promise.resolve({ brokers: [] }) : Promise.reject(new Error('Connection error'));
  }
}

describe('ClusterProbe', () => {
  it('connects once and then only asks for metadata', async () => {
    const admin = new FakeAdmin();
    const probe = new ClusterProbe(admin, 1_000);
    await probe.check();
    await probe.check();
    expect(admin.connects).toBe(1);
    expect(admin.describes).toBe(2);
  });

  it('fails while the cluster is unreachable and recovers when it is back, with a fresh connection', async () => {
    const admin = new FakeAdmin();
    const probe = new ClusterProbe(admin, 1_000);
    await probe.check();
    admin.reachable = false;
    await expect(probe.check()).rejects.toThrow('Connection error');
    expect(admin.disconnects).toBe(1);
    await expect(probe.check()).rejects.toThrow('ECONNREFUSED');
    admin.reachable = true;
    await expect(probe.check()).resolves.toBeUndefined();
    expect(admin.connects).toBe(3);
  });

  it('fails within its timeout when the cluster hangs, and shares one pending probe between callers', async () => {
    const admin = new FakeAdmin();
    admin.hang = true;
    const probe = new ClusterProbe(admin, 50);
    const results = await Promise.allSettled([probe.check(), probe.check()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/within 50 ms/);
    expect(admin.describes).toBe(1);
  });
});
