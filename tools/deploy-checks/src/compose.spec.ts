// docker/compose.yaml names every app and engine, each built from this repository and each with a
// healthcheck; every service is built from docker/Dockerfile with its APP and waits for healthy
// engines; the gateways sit behind the load balancer. Plus the Dockerfiles' promises that can be
// read without a Docker engine (the images themselves are built and run by the compose smoke
// test, e2e/compose).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMPOSE_KAFKA_ACCESS_FILE, renderComposeKafkaAccess } from './compose-kafka-access';
import { REPO_ROOT } from './render';

interface ComposeService {
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
  image?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  ports?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const ENGINES = ['kafka', 'cassandra', 's3', 'postgres', 'redis'];
/** Compose service → docker/engines/Dockerfile target. */
const ENGINE_TARGETS: Record<string, string> = { kafka: 'kafka', cassandra: 'cassandra', s3: 's3proxy', postgres: 'postgres', redis: 'redis', lb: 'haproxy' };
const enginesDockerfile = readFileSync(join(REPO_ROOT, 'docker', 'engines', 'Dockerfile'), 'utf8');

/** The lines of one stage of docker/engines/Dockerfile. */
function stage(target: string): string {
  const start = enginesDockerfile.search(new RegExp(`^FROM \\S+ AS ${target}$`, 'm'));
  if (start < 0) return '';
  const rest = enginesDockerfile.slice(start + 1);
  const end = rest.search(/^FROM /m);
  return end < 0 ? rest : rest.slice(0, end);
}
const APPS: Record<string, { instances: string[]; engines: string[] }> = {
  auth: { instances: ['auth'], engines: ['kafka', 'postgres', 'redis'] },
  messaging: { instances: ['messaging'], engines: ['kafka', 'cassandra'] },
  presence: { instances: ['presence'], engines: ['kafka', 'redis'] },
  files: { instances: ['files'], engines: ['kafka', 'postgres', 's3'] },
  gateway: { instances: ['gateway-1', 'gateway-2'], engines: ['kafka', 'redis'] },
};

describe('docker/compose.yaml', () => {
  it('has every app, each with a healthcheck', () => {
    for (const name of Object.values(APPS).flatMap((a) => a.instances)) {
      expect({ name, healthcheck: (services[name]?.healthcheck?.test.length ?? 0) > 0 }).toEqual({ name, healthcheck: true });
    }
  });

  it('builds every engine the apps depend on', () => {
    for (const engine of ENGINES) expect(Object.keys(ENGINE_TARGETS)).toContain(engine);
  });

  it.each(Object.entries(ENGINE_TARGETS))('%s is built from docker/engines/Dockerfile (target %s), whose stage has a HEALTHCHECK', (name, target) => {
    const service = services[name];
    expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/engines/Dockerfile', target, args: { DEBIAN_IMAGE: '${DEBIAN_IMAGE:-debian:bookworm-slim}' } });
    expect(service?.image).toBe(`chat-platform/${target}:local`);
    expect(stage(target)).toMatch(/^HEALTHCHECK .*CMD /m);
    expect(stage(target)).toMatch(/^USER \S+$/m);
  });

  it('publishes host ports on 127.0.0.1 only, each a variable (a second stack runs beside the local engines)', () => {
    for (const [name, service] of Object.entries(services)) {
      const pattern = /^127\.0\.0\.1:\$\{CHAT_[A-Z0-9_]+_PORT:-\d+\}:\d+$/;
      for (const port of service.ports ?? []) expect({ name, port, ok: pattern.test(port) }).toEqual({ name, port, ok: true });
    }
  });

  it.each(Object.entries(APPS))('%s is built from docker/Dockerfile and waits for its healthy engines', (app, { instances, engines }) => {
    for (const instance of instances) {
      const service = services[instance];
      expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', args: { APP: app, NODE_IMAGE: '${NODE_IMAGE:-node:24-bookworm-slim}' } });
      expect(service?.image).toBe(`chat-platform/${app}:local`);
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

  it('gives every service its own Kafka user; the broker authenticates (SCRAM) and grants each the ACLs of its topic table', () => {
    const kafka = services['kafka']?.environment ?? {};
    expect(kafka['KAFKA_AUTH']).toBe('scram');
    for (const [app, { instances }] of Object.entries(APPS)) {
      const password = kafka[`KAFKA_${app.toUpperCase()}_PASSWORD`];
      expect({ app, password }).toEqual({ app, password: `\${KAFKA_${app.toUpperCase()}_PASSWORD:-local-${app}}` });
      for (const instance of instances) {
        const env = services[instance]?.environment ?? {};
        expect([instance, env['KAFKA_SASL_USERNAME'], env['KAFKA_SASL_PASSWORD'], env['KAFKA_SASL_MECHANISM']]).toEqual([instance, app, password, 'scram-sha-512']);
      }
    }
    // The broker's users, topics and ACLs: the file rendered from KAFKA_ACCESS, and no stale copy.
    const access = readFileSync(join(REPO_ROOT, COMPOSE_KAFKA_ACCESS_FILE), 'utf8');
    expect(access).toBe(renderComposeKafkaAccess());
    const users = new Set(access.split('\n').filter((line) => line.startsWith('acl ')).map((line) => line.split(' ')[1]));
    expect([...users].sort()).toEqual(Object.keys(APPS).sort());
    expect(stage('kafka')).toMatch(/^COPY .*docker\/engines\/kafka\/KafkaSetup\.java docker\/engines\/kafka\/access\.conf \/opt\/kafka\/$/m);
    // Only loopback listeners are unauthenticated; nothing is allowed without an ACL.
    const entrypoint = readFileSync(join(REPO_ROOT, 'docker', 'engines', 'kafka', 'entrypoint.sh'), 'utf8');
    const scram = entrypoint.slice(entrypoint.indexOf('  scram)'), entrypoint.indexOf(';;', entrypoint.indexOf('  scram)')));
    expect(scram).toContain('listener.security.protocol.map=CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT');
    expect(scram).toContain('listeners=BROKER://127.0.0.1:19093,INTERNAL://:19092,CONTROLLER://127.0.0.1:9093,EXTERNAL://:9092');
    expect(scram).toContain('authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(scram).toContain('allow.everyone.if.no.acl.found=false');
  });

  it("requires a Cassandra login; messaging logs in as its own role, the one granted its keyspace", () => {
    const cassandra = services['cassandra']?.environment ?? {};
    expect(cassandra['CASSANDRA_AUTH']).toBe('password');
    expect(cassandra['CASSANDRA_SUPERUSER_PASSWORD']).toBe('${CASSANDRA_SUPERUSER_PASSWORD:-local-superuser}');
    const messaging = services['messaging']?.environment ?? {};
    expect([messaging['CASSANDRA_USERNAME'], messaging['CASSANDRA_PASSWORD'], messaging['CASSANDRA_KEYSPACE']]).toEqual([
      'messaging',
      cassandra['CASSANDRA_MESSAGING_PASSWORD'],
      cassandra['CASSANDRA_MESSAGING_KEYSPACE'],
    ]);
    for (const app of ['gateway-1', 'gateway-2', 'auth', 'presence', 'files']) expect(services[app]?.environment?.['CASSANDRA_USERNAME']).toBeUndefined();
    const entrypoint = readFileSync(join(REPO_ROOT, 'docker', 'engines', 'cassandra', 'entrypoint.sh'), 'utf8');
    expect(entrypoint.match(/^GRANT [^;]+;/gm)).toEqual(['GRANT ALL PERMISSIONS ON KEYSPACE ${keyspace} TO messaging;']);
    expect(entrypoint).not.toMatch(/SUPERUSER = true|ALL KEYSPACES/i);
    expect(entrypoint).toContain('authn=PasswordAuthenticator; authz=CassandraAuthorizer');
  });

  it('puts two distinct gateway replicas behind the load balancer, the only published service port', () => {
    expect(services['gateway-1']?.environment?.['INSTANCE_ID']).not.toEqual(services['gateway-2']?.environment?.['INSTANCE_ID']);
    expect(Object.keys(services['lb']?.depends_on ?? {}).sort()).toEqual(['gateway-1', 'gateway-2']);
    expect(services['lb']?.ports).toEqual(['127.0.0.1:${CHAT_HTTP_PORT:-8080}:8080']);
    expect(Object.entries(services).filter(([, service]) => service.ports?.some((port) => port.endsWith(':8080'))).map(([name]) => name)).toEqual(['lb']);
    const haproxy = readFileSync(join(REPO_ROOT, 'docker', 'haproxy', 'haproxy.cfg'), 'utf8');
    expect(haproxy).toMatch(/cookie GW insert/);
    expect(haproxy).toMatch(/server gateway-1 gateway-1:8080/);
    expect(haproxy).toMatch(/server gateway-2 gateway-2:8080/);
  });
});

describe('docker/compose.rabbitmq.yaml (BUS=rabbitmq)', () => {
  const override = parse(readFileSync(join(REPO_ROOT, 'docker', 'compose.rabbitmq.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  /** What compose runs with both files: environment and depends_on merged by key, the rest replaced. */
  const merged = (name: string): ComposeService => {
    const base = services[name] ?? {};
    const over = override.services[name] ?? {};
    return { ...base, ...over, environment: { ...base.environment, ...over.environment }, depends_on: { ...base.depends_on, ...over.depends_on } };
  };

  it('adds RabbitMQ, built from docker/engines/Dockerfile (target rabbitmq) with a HEALTHCHECK, non-root, data on a volume', () => {
    const rabbitmq = override.services['rabbitmq'];
    expect(rabbitmq?.build).toEqual({ context: '..', dockerfile: 'docker/engines/Dockerfile', target: 'rabbitmq', args: { DEBIAN_IMAGE: '${DEBIAN_IMAGE:-debian:bookworm-slim}' } });
    expect(rabbitmq?.image).toBe('chat-platform/rabbitmq:local');
    expect(rabbitmq?.ports).toEqual(['127.0.0.1:${CHAT_RABBITMQ_PORT:-5672}:5672']);
    expect(stage('rabbitmq')).toMatch(/^HEALTHCHECK .*CMD /m);
    expect(stage('rabbitmq')).toMatch(/^USER rabbitmq$/m);
    expect(Object.keys(override.volumes)).toEqual(['rabbitmq-data']);
    const conf = readFileSync(join(REPO_ROOT, 'docker', 'engines', 'rabbitmq', 'rabbitmq.conf'), 'utf8');
    expect(conf).toMatch(/^default_user = chat$/m);
  });

  it.each(Object.entries(APPS))('%s runs on RabbitMQ, as the user the broker creates, once it is healthy', (_app, { instances }) => {
    const conf = readFileSync(join(REPO_ROOT, 'docker', 'engines', 'rabbitmq', 'rabbitmq.conf'), 'utf8');
    const password = /^default_pass = (\S+)$/m.exec(conf)?.[1];
    for (const instance of instances) {
      const service = merged(instance);
      expect(service.environment).toEqual(
        expect.objectContaining({ BUS: 'rabbitmq', RABBITMQ_URL: 'amqp://rabbitmq:5672', RABBITMQ_USERNAME: 'chat', RABBITMQ_PASSWORD: `\${RABBITMQ_CHAT_PASSWORD:-${password}}` }),
      );
      expect(service.depends_on?.['rabbitmq']).toEqual({ condition: 'service_healthy' });
      // The rest of the service stays as the base file defines it.
      expect(service.healthcheck).toEqual(services[instance]?.healthcheck);
    }
  });

  it('changes nothing but the apps and RabbitMQ', () => {
    const apps = Object.values(APPS).flatMap((a) => a.instances);
    expect(Object.keys(override.services).sort()).toEqual([...apps, 'rabbitmq'].sort());
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');

  it("installs from the lock file, ships only the app's own production dependencies and runs node directly as a non-root user", () => {
    expect(dockerfile).toMatch(/^RUN .*npm ci --no-audit/m);
    // dist/package.json lists the packages the app's bundle requires (tools/build runtimeManifest).
    expect(dockerfile).toMatch(/^COPY --from=build \/repo\/dist\/package\.json \.\/$/m);
    expect(dockerfile).toMatch(/^RUN .*npm install --omit=dev/m);
    // No `# syntax=` line: its frontend image would come from a registry.
    expect(dockerfile).not.toMatch(/^# syntax=/m);
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
    for (const file of ['!apps', '!libs', '**/node_modules', '**/.env']) expect(ignore.split('\n')).toContain(file);
  });
});
