import * as path from 'node:path';
import { REPO_ROOT, TOOL_ROOT, displayPath, infraLayout, resolveInfraDir } from './layout';

describe('resolveInfraDir', () => {
  it('defaults to <repo>/.infra', () => {
    expect(resolveInfraDir({}, '/somewhere', '/repo')).toBe('/repo/.infra');
    expect(resolveInfraDir({ INFRA_DIR: '  ' }, '/somewhere', '/repo')).toBe('/repo/.infra');
  });

  it('honours INFRA_DIR, relative to the working directory', () => {
    expect(resolveInfraDir({ INFRA_DIR: '/tmp/infra' }, '/somewhere', '/repo')).toBe('/tmp/infra');
    expect(resolveInfraDir({ INFRA_DIR: 'x/infra' }, '/somewhere', '/repo')).toBe('/somewhere/x/infra');
  });
});

describe('infraLayout', () => {
  it('puts data, logs and pids per engine under the root', () => {
    const layout = infraLayout('/r/.infra');
    expect(layout.dataDir('cassandra')).toBe('/r/.infra/data/cassandra');
    expect(layout.logFile('kafka')).toBe('/r/.infra/logs/kafka.log');
    expect(layout.pidFile('s3')).toBe('/r/.infra/pids/s3.pid');
    expect(layout.confFile('kafka.properties')).toBe('/r/.infra/conf/kafka.properties');
  });
});

describe('roots', () => {
  it('locate the repository and the tool folder', () => {
    expect(path.relative(REPO_ROOT, TOOL_ROOT)).toBe(path.join('tools', 'infra'));
  });
});

describe('displayPath', () => {
  it('shortens paths below the cwd only', () => {
    expect(displayPath('/r/.infra/logs/x.log', '/r')).toBe('.infra/logs/x.log');
    expect(displayPath('/elsewhere/x.log', '/r')).toBe('/elsewhere/x.log');
  });
});
