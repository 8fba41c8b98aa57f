// docker/compose.yaml names every app and engine, each with a healthcheck; every service is built
// from docker/Dockerfile with its APP and waits for healthy engines; the gateways sit behind the
// load balancer. Plus the Dockerfile's promises that can be read without a Docker engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './render';

interface ComposeService {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  image?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  ports?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const ENGINES = ['kafka', 'cassandra', 's3', 'postgres', 'redis'];
const APPS: Record<string, { instances: string[]; engines: string[] }> = {
  auth: { instances: ['auth'], engines: ['kafka', 'postgres', 'redis'] },
  messaging: { instances: ['messaging'], engines: ['kafka', 'cassandra'] },
  presence: { instances: ['presence'], engines: ['kafka', 'redis'] },
  files: { instances: ['files'], engines: ['kafka', 'postgres', 's3'] },
  gateway: { instances: ['gateway-1', 'gateway-2'], engines: ['kafka', 'redis'] },
};

describe('docker/compose.yaml', () => {
  it('has every engine and every app, each with a healthcheck', () => {
    for (const name of [...ENGINES, ...Object.values(APPS).flatMap((a) => a.instances), 'lb']) {
      expect({ name, healthcheck: (services[name]?.healthcheck?.test.length ?? 0) > 0 }).toEqual({ name, healthcheck: true });
    }
  });

  it.each(Object.entries(APPS))('%s is built from docker/Dockerfile and waits for its healthy engines', (app, { instances, engines }) => {
    for (const instance of instances) {
      const service = services[instance];
      expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', args: { APP: app } });
      expect(service?.healthcheck?.test.join(' ')).toContain('/health/ready');
      for (const engine of engines) expect({ engine, ...service?.depends_on?.[engine] }).toEqual({ engine, condition: 'service_healthy' });
      if (app !== 'auth') expect(service?.depends_on?.['auth']?.condition).toBe('service_healthy');
      expect(service?.environment?.['HOST']).toBe('0.0.0.0');
      expect(String(service?.environment?.['KAFKA_BROKERS'])).toBe('kafka:19092');
      // Metrics on their own port, which is never published.
      expect(String(service?.environment?.['METRICS_PORT'])).toBe('9464');
      expect(service?.ports).toBeUndefined();
    }
  });

  it('gives every service that uses Redis its own ACL user, limited to its key prefix', () => {
    const command = (services['redis'] as ComposeService & { command?: string[] }).command ?? [];
    // `--user <name> <rules…>` up to the next option.
    const users = new Map<string, string[]>();
    command.forEach((arg, i) => {
      if (arg !== '--user') return;
      const end = command.findIndex((a, j) => j > i && a.startsWith('--'));
      const [name, ...rules] = command.slice(i + 1, end === -1 ? undefined : end);
      if (name) users.set(name, rules);
    });
    const prefixes: Record<string, string[]> = { gateway: ['~gateway:*', '&gateway:typing:*'], auth: ['~auth:*'], presence: ['~presence:*'] };
    expect([...users.keys()].sort()).toEqual(Object.keys(prefixes).sort());
    for (const [app, patterns] of Object.entries(prefixes)) {
      const rules = users.get(app) ?? [];
      expect(rules.filter((r) => r.startsWith('~') || r.startsWith('&'))).toEqual(patterns);
      expect(rules).toEqual(expect.arrayContaining(['on', '+@all', '-@dangerous']));
      const password = rules.find((r) => r.startsWith('>'))?.slice(1);
      for (const instance of APPS[app]?.instances ?? []) {
        expect(services[instance]?.environment?.['REDIS_USERNAME']).toBe(app);
        expect(services[instance]?.environment?.['REDIS_PASSWORD']).toBe(password);
      }
    }
    for (const app of ['messaging', 'files']) expect(services[app]?.environment?.['REDIS_USERNAME']).toBeUndefined();
  });

  it('puts two distinct gateway replicas behind the load balancer, the only published service port', () => {
    expect(services['gateway-1']?.environment?.['INSTANCE_ID']).not.toEqual(services['gateway-2']?.environment?.['INSTANCE_ID']);
    expect(Object.keys(services['lb']?.depends_on ?? {}).sort()).toEqual(['gateway-1', 'gateway-2']);
    expect(services['lb']?.ports).toEqual(['127.0.0.1:8080:8080']);
    const haproxy = readFileSync(join(REPO_ROOT, 'docker', 'haproxy', 'haproxy.cfg'), 'utf8');
    expect(haproxy).toMatch(/cookie GW insert/);
    expect(haproxy).toMatch(/server gateway-1 gateway-1:8080/);
    expect(haproxy).toMatch(/server gateway-2 gateway-2:8080/);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');

  it('installs from the lock file, ships production dependencies only and runs node directly as a non-root user', () => {
    expect(dockerfile).toMatch(/^RUN .*npm ci --no-audit/m);
    expect(dockerfile).toMatch(/^RUN .*npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    // A maintained LTS (22 or 24) by default, replaceable with a build argument.
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(22|24)-[a-z]+-slim$/m);
    expect(dockerfile).not.toMatch(/^FROM node:/m);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production \\\n\s+HOST=0\.0\.0\.0/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/health\/ready/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('builds the web client into the gateway image, which serves it from WEB_ROOT', () => {
    expect(dockerfile).toMatch(/if \[ "\$APP" = gateway \]; then node node_modules\/vite\/bin\/vite\.js build --config apps\/web\/vite\.config\.mts --outDir \/repo\/dist\/web/);
    expect(dockerfile).toMatch(/^ENV WEB_ROOT=\/app\/dist\/web$/m);
    const ignore = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile.dockerignore'), 'utf8');
    for (const file of ['!apps/web/index.html', '!apps/web/vite.config.mts', '!apps/*/src/**']) expect(ignore.split('\n')).toContain(file);
  });
});
