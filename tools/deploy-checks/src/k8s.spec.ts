// Every kustomize overlay renders, every object in it is schema-valid (core kinds against the
// Kubernetes OpenAPI schemas, operator resources against ./operator-schemas), and the manifests
// keep the promises of the Deploy section of the README. Needs `kubectl` (kustomize built in).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS, deadLetterTopicName } from '@chat/contracts';
import { OVERLAYS, type K8sObject, type Overlay, renderOverlay, REPO_ROOT } from './render';
import { allTopics, kafkaAcls, SERVICES as SERVICE_NAMES } from './kafka-acls';
import { KAFKA_ACCESS } from './service-access';
import { validateObject, validateObjects } from './validate';

const SERVICES = { gateway: 8080, auth: 3001, messaging: 3002, presence: 3003, files: 3004 } as const;


/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment,
   @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument
   -- rendered YAML is untyped here; its shape is what the first tests validate against the schemas */
type Any = any;

const rendered = new Map<Overlay, K8sObject[]>();
const objectsOf = (overlay: Overlay): K8sObject[] => {
  if (!rendered.has(overlay)) rendered.set(overlay, renderOverlay(overlay));
  return rendered.get(overlay) ?? [];
};
const find = (objects: K8sObject[], kind: string, name: string): Any => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('validator', () => {
  const deployment = (): Any => structuredClone(find(objectsOf('dev'), 'Deployment', 'auth'));

  it('accepts a rendered Deployment and rejects broken ones', () => {
    expect(validateObject(deployment())).toEqual([]);
    const wrongType = deployment();
    wrongType.spec.replicas = 'two';
    expect(validateObject(wrongType).join()).toMatch(/replicas must be integer/);
    const noSelector = deployment();
    delete noSelector.spec.selector;
    expect(validateObject(noSelector).join()).toMatch(/selector/);
    const badProbe = deployment();
    badProbe.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };
    expect(validateObject(badProbe)).not.toEqual([]);
  });

  it('rejects operator resources with a misspelt or mistyped field, and unknown kinds', () => {
    const topic: Any = structuredClone(objectsOf('prod').find((o) => o.kind === 'KafkaTopic'));
    expect(validateObject(topic)).toEqual([]);
    expect(validateObject({ ...topic, spec: { ...topic.spec, partition: 3 } }).join()).toMatch(/partition/);
    expect(validateObject({ ...topic, spec: { ...topic.spec, partitions: '12' } }).join()).toMatch(/partitions/);
    const kafka: Any = structuredClone(find(objectsOf('prod'), 'Kafka', 'chat-kafka'));
    expect(validateObject(kafka)).toEqual([]);
    // ZooKeeper is gone from the v1 API: a leftover v1beta2 section is refused.
    expect(validateObject({ ...kafka, spec: { ...kafka.spec, zookeeper: { replicas: 3 } } }).join()).toMatch(/zookeeper/);
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }).join()).toMatch(/no schema/);
  });

  it("checks Strimzi and CloudNativePG resources against the operators' published CRD schemas", () => {
    const kafka: Any = structuredClone(find(objectsOf('prod'), 'Kafka', 'chat-kafka'));
    kafka.spec.kafka.listeners[0].type = 'carrier-pigeon';
    expect(validateObject(kafka).join()).toMatch(/Strimzi CRD: .*listeners\/0\/type must be equal to one of the allowed values/);
    const postgres: Any = structuredClone(objectsOf('prod').find((o) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1'));
    expect(validateObject(postgres)).toEqual([]);
    postgres.spec.instances = 'three';
    expect(validateObject(postgres).join()).toMatch(/spec\/instances must be integer/);
  });
});

describe('K8ssandraCluster schema (hand-written, cross-checked against the upstream CRD)', () => {
  const cluster = (): Any => structuredClone(find(objectsOf('prod'), 'K8ssandraCluster', 'chat-cassandra'));
  const problems = (mutate: (k8c: Any) => void): string[] => {
    const k8c = cluster();
    mutate(k8c);
    return validateObject(k8c);
  };
  const at = (path: string, message: string): string => `K8ssandraCluster/chat-cassandra: ${path}: ${message}`;

  it('accepts the rendered cluster, racks included', () => {
    expect(cluster().spec.cassandra.datacenters[0].racks).toHaveLength(3);
    expect(validateObject(cluster())).toEqual([]);
  });

  it('refuses an unknown field', () => {
    expect(problems((k8c) => (k8c.spec.cassandra.datacenters[0].sise = 3))).toEqual([at('spec.cassandra.datacenters.0', 'Unrecognized key: "sise"')]);
    expect(problems((k8c) => (k8c.spec.cassandra.config.cassandraYaml.num_token = 16))).toEqual([at('spec.cassandra.config.cassandraYaml', 'Unrecognized key: "num_token"')]);
  });

  it('refuses a wrong type', () => {
    expect(problems((k8c) => (k8c.spec.cassandra.datacenters[0].size = '3'))).toEqual([at('spec.cassandra.datacenters.0.size', 'Invalid input: expected number, received string')]);
    expect(problems((k8c) => (k8c.spec.auth = 'false'))).toEqual([at('spec.auth', 'Invalid input: expected boolean, received string')]);
  });

  it('refuses a missing required field', () => {
    expect(problems((k8c) => delete k8c.spec.cassandra.datacenters[0].size)).toEqual([at('spec.cassandra.datacenters.0.size', 'Invalid input: expected number, received undefined')]);
    expect(problems((k8c) => delete k8c.spec.cassandra.datacenters[0].racks[1].name)).toEqual([
      at('spec.cassandra.datacenters.0.racks.1.name', 'Invalid input: expected string, received undefined'),
    ]);
  });

  it('refuses what the CRD refuses: a one-character rack name, a size beyond int32', () => {
    expect(problems((k8c) => (k8c.spec.cassandra.datacenters[0].racks[0].name = 'r'))).toEqual([at('spec.cassandra.datacenters.0.racks.0.name', 'Too small: expected string to have >=2 characters')]);
    expect(problems((k8c) => (k8c.spec.cassandra.datacenters[0].size = 2 ** 31))).toEqual([at('spec.cassandra.datacenters.0.size', 'Too big: expected number to be <=2147483647')]);
  });

  it('refuses a Cassandra older than 5.0, because messaging needs storage-attached indexes', () => {
    for (const version of ['4.1.8', '4.0.17', '3.11.19']) {
      expect(problems((k8c) => (k8c.spec.cassandra.serverVersion = version))).toEqual([
        at('spec.cassandra.serverVersion', `serverVersion ${version} is below Cassandra 5.0: messaging's migrations create storage-attached indexes (SAI), which Cassandra 4.x and older do not have`),
      ]);
    }
    expect(problems((k8c) => (k8c.spec.cassandra.serverVersion = '5.0'))).toEqual([at('spec.cassandra.serverVersion', 'serverVersion "5.0" is not a Cassandra release number (MAJOR.MINOR.PATCH)')]);
    expect(problems((k8c) => (k8c.spec.cassandra.serverVersion = '5.0.9'))).toEqual([]);
  });
});

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  const objects = (): K8sObject[] => objectsOf(overlay);
  const config = (service: string): Record<string, string> => find(objects(), 'ConfigMap', `${service}-config`).data;

  it('renders, and every object is valid against its schema', () => {
    expect(objects().length).toBeGreaterThan(40);
    expect(validateObjects(objects()).flat()).toEqual([]);
    expect(new Set(objects().map((o) => o.metadata.namespace ?? (o.kind === 'Namespace' ? o.metadata.name : undefined))).size).toBe(1);
  });

  it.each(Object.entries(SERVICES))('%s: Deployment, Service, ConfigMap, PDB (prod), NetworkPolicy; probes, limits, hardening, grace', (service, port) => {
    const deployment = find(objects(), 'Deployment', service);
    expect(find(objects(), 'Service', service)?.spec.ports[0].port).toBe(port);
    // One replica in dev: a PDB there would protect nothing, so dev has none.
    expect(find(objects(), 'PodDisruptionBudget', service)).toEqual(overlay === 'prod' ? expect.anything() : undefined);
    expect(find(objects(), 'NetworkPolicy', service)).toBeDefined();
    expect(config(service).PORT).toBe(String(port));
    expect(config(service).HOST).toBe('0.0.0.0');

    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(container.resources.limits).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true }));
    expect(container.securityContext).toEqual(expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }));
    // A preStop sleep lets the endpoint leave the Service and the Ingress/HTTPRoute first; the
    // pod then outlives the sleep plus the service's own shutdown deadline by at least 5 s.
    const preStopSeconds: number = container.lifecycle.preStop.sleep.seconds;
    expect(preStopSeconds).toBeGreaterThanOrEqual(5);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(preStopSeconds * 1000 + Number(config(service).SHUTDOWN_GRACE_MS) + 5000);
    // The HPA owns the replica count of its targets: a replicas field would reset it on every apply.
    const autoscaled = objects().some((o: Any) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === service);
    if (autoscaled) expect(deployment.spec.replicas).toBeUndefined();
    else expect(deployment.spec.replicas).toBe(overlay === 'prod' ? 2 : 1);
    // Secrets only by reference; the ConfigMap holds none.
    for (const env of container.env ?? []) expect(env.value).toBeUndefined();
    expect(Object.keys(config(service)).filter((key) => /SECRET|PASSWORD|ACCESS_KEY/.test(key))).toEqual([]);
    if (overlay === 'prod') {
      expect(pod.topologySpreadConstraints.map((c: Any) => c.topologyKey)).toContain('topology.kubernetes.io/zone');
      expect(config(service).KAFKA_REPLICATION_FACTOR).toBe('3');
    }
  });

  it.each(Object.keys(SERVICES))('%s: metrics only on the internal port, which only Prometheus reaches', (service) => {
    const pod = find(objects(), 'Deployment', service).spec.template.spec;
    const metricsPort = Number(config(service).METRICS_PORT);
    expect(metricsPort).toBeGreaterThan(0);
    expect(metricsPort).not.toBe(Number(config(service).PORT));
    expect(pod.containers[0].ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: metricsPort }));
    expect(find(objects(), 'Deployment', service).spec.template.metadata.annotations['prometheus.io/port']).toBe(String(metricsPort));
    // The Service (so the Ingress and the HTTPRoute) exposes the public port only.
    expect(find(objects(), 'Service', service).spec.ports.map((p: Any) => p.targetPort)).toEqual(['http']);
    // Every ingress rule names its ports; the monitoring namespace gets the metrics port and nothing else.
    const rules = find(objects(), 'NetworkPolicy', service).spec.ingress as Any[];
    for (const rule of rules) expect(rule.ports?.length ?? 0).toBeGreaterThan(0);
    const fromMonitoring = rules.filter((rule) => rule.from.some((peer: Any) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'monitoring'));
    expect(fromMonitoring.flatMap((rule) => rule.ports.map((p: Any) => p.port))).toEqual([metricsPort]);
    const others = rules.filter((rule) => !fromMonitoring.includes(rule));
    expect(others.flatMap((rule) => rule.ports.map((p: Any) => p.port))).not.toContain(metricsPort);
  });

  it('declares every topic of libs/contracts and its .dlq twin, with the contract partition counts', () => {
    const topics = new Map(objects().filter((o) => o.kind === 'KafkaTopic').map((o: Any) => [o.spec.topicName as string, o.spec]));
    const expected = allTopics();
    expect([...topics.keys()].sort()).toEqual(expected.map(({ name }) => name));
    for (const { name, partitions } of expected) expect(topics.get(name)?.partitions).toBe(partitions);
    const [replicas, minIsr] = overlay === 'prod' ? [3, 2] : [1, 1];
    for (const spec of topics.values()) expect([spec.replicas, spec.config['min.insync.replicas']]).toEqual([replicas, minIsr]);
  });

  it('sizes the engines: Kafka, Cassandra, PostgreSQL and Redis', () => {
    const kafka = find(objects(), 'Kafka', 'chat-kafka');
    const pool = find(objects(), 'KafkaNodePool', 'dual-role');
    const cassandra = find(objects(), 'K8ssandraCluster', 'chat-cassandra');
    const dc = cassandra.spec.cassandra.datacenters[0];
    const pg = objects().filter((o) => o.kind === 'Cluster') as Any[];
    expect(pg.map((c) => c.metadata.name).sort()).toEqual(['auth-postgres', 'files-postgres']);
    const replication = config('messaging').CASSANDRA_REPLICATION;
    if (overlay === 'prod') {
      expect(pool.spec.replicas).toBe(3);
      expect(kafka.spec.kafka.config['min.insync.replicas']).toBe(2);
      expect(kafka.spec.kafka.config['default.replication.factor']).toBe(3);
      expect(dc.size).toBe(3);
      expect(replication).toBe(`NetworkTopologyStrategy:${dc.metadata.name}=3`);
      expect(pg.map((c) => c.spec.instances)).toEqual([3, 3]);
      expect(find(objects(), 'StatefulSet', 'redis-replica')).toBeDefined();
      expect(objects().filter((o) => o.kind === 'Secret')).toEqual([]);
    } else {
      expect(pool.spec.replicas).toBe(1);
      expect(dc.size).toBe(1);
      expect(replication).toBe(`NetworkTopologyStrategy:${dc.metadata.name}=1`);
      expect(pg.map((c) => c.spec.instances)).toEqual([1, 1]);
      expect(config('gateway').KAFKA_REPLICATION_FACTOR).toBe('1');
    }
    expect(config('messaging').CASSANDRA_LOCAL_DC).toBe(dc.metadata.name);
  });

  it('autoscales gateway and messaging; one sticky, WebSocket-friendly origin to the gateway', () => {
    const hpas = objects().filter((o) => o.kind === 'HorizontalPodAutoscaler') as Any[];
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'messaging']);
    expect(find(objects(), 'HorizontalPodAutoscaler', 'messaging').spec.maxReplicas).toBeLessThanOrEqual(12);
    const ingress = find(objects(), 'Ingress', 'chat');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    const paths = ingress.spec.rules.flatMap((r: Any) => r.http.paths);
    expect(paths).toEqual([expect.objectContaining({ path: '/', backend: { service: { name: 'gateway', port: { name: 'http' } } } })]);
    if (overlay === 'prod') expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
  });

  it('has no PodDisruptionBudget on a single-pod workload', () => {
    const workloads = objects().filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment') as Any[];
    for (const pdb of objects().filter((o) => o.kind === 'PodDisruptionBudget') as Any[]) {
      const selected = workloads.filter((w) => Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
      expect(selected).not.toEqual([]);
      // A Deployment without replicas is scaled by its HPA; only fixed counts are judged here.
      const fixed = selected.filter((w) => w.spec.replicas !== undefined).map((w) => w.spec.replicas as number);
      if (fixed.length === selected.length) expect([pdb.metadata.name, Math.min(...fixed)]).not.toEqual([pdb.metadata.name, 1]);
    }
    expect(find(objects(), 'PodDisruptionBudget', 'redis-primary')).toBeUndefined();
  });

  it('declares Strimzi resources on kafka.strimzi.io/v1', () => {
    const strimzi = objects().filter((o) => String(o.apiVersion).startsWith('kafka.strimzi.io/'));
    expect(new Set(strimzi.map((o) => o.apiVersion))).toEqual(new Set(['kafka.strimzi.io/v1']));
  });

  if (overlay === 'prod') {
    it('backs up PostgreSQL (ScheduledBackup) and Cassandra (Medusa), repairs Cassandra (Reaper)', () => {
      const clusters = objects().filter((o) => o.kind === 'Cluster') as Any[];
      const scheduled = objects().filter((o) => o.kind === 'ScheduledBackup') as Any[];
      expect(scheduled.map((b) => b.spec.cluster.name).sort()).toEqual(clusters.map((c) => c.metadata.name).sort());
      for (const cluster of clusters) expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
      const cassandra = find(objects(), 'K8ssandraCluster', 'chat-cassandra');
      expect(cassandra.spec.medusa.storageProperties.bucketName).toBeTruthy();
      expect(cassandra.spec.reaper.autoScheduling.enabled).toBe(true);
      const medusa = objects().find((o) => o.kind === 'MedusaBackupSchedule') as Any;
      expect(medusa.spec.backupSpec.cassandraDatacenter).toBe(cassandra.spec.cassandra.datacenters[0].metadata.name);
    });

    it('scrapes every service with a PodMonitor, PostgreSQL and Cassandra through their operators', () => {
      const monitor = find(objects(), 'PodMonitor', 'chat-services');
      expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/component': 'service' });
      expect(monitor.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
      for (const service of Object.keys(SERVICES)) {
        const container = find(objects(), 'Deployment', service).spec.template.spec.containers[0];
        expect(container.ports.map((p: Any) => p.name)).toContain('metrics');
      }
      for (const cluster of objects().filter((o) => o.kind === 'Cluster') as Any[]) expect(cluster.spec.monitoring.enablePodMonitor).toBe(true);
      expect(find(objects(), 'K8ssandraCluster', 'chat-cassandra').spec.cassandra.telemetry.prometheus.enabled).toBe(true);
    });

    it('alerts on dead letters, stalled consumers and crashed consumers, with series the consumers export', () => {
      const rules = find(objects(), 'PrometheusRule', 'chat-consumers');
      const alerts = new Map<string, Any>(rules.spec.groups.flatMap((g: Any) => g.rules.map((r: Any) => [r.alert, r])));
      expect([...alerts.keys()].sort()).toEqual(['ChatConsumerDown', 'ChatConsumerStalled', 'ChatDeadLetters']);
      expect(alerts.get('ChatDeadLetters').annotations.description).toContain('npm run dlq:replay');
      const exported = readFileSync(join(REPO_ROOT, 'libs/kafka/src/consumer/consumer.metrics.ts'), 'utf8');
      for (const rule of alerts.values()) {
        const series = (rule.expr as string).match(/kafka_consumer_[a-z_]+/g) ?? [];
        expect(series.length).toBeGreaterThan(0);
        for (const name of series) expect(exported).toContain(`'${name}'`);
      }
    });

    it('offers a Gateway API HTTPRoute beside the Ingress: same host, the gateway, cookie affinity, TLS', () => {
      const ingress = find(objects(), 'Ingress', 'chat');
      const route = find(objects(), 'HTTPRoute', 'chat');
      const gateway = find(objects(), 'Gateway', route.spec.parentRefs[0].name);
      expect(route.spec.hostnames).toEqual([ingress.spec.rules[0].host]);
      expect(route.spec.rules).toEqual([
        expect.objectContaining({
          backendRefs: [{ name: 'gateway', port: SERVICES.gateway }],
          sessionPersistence: expect.objectContaining({ type: 'Cookie', sessionName: ingress.metadata.annotations['nginx.ingress.kubernetes.io/session-cookie-name'] }),
        }),
      ]);
      expect(gateway.spec.listeners.map((l: Any) => [l.protocol, l.tls?.certificateRefs[0].name])).toEqual([['HTTPS', ingress.spec.tls[0].secretName]]);
      const admitted = find(objects(), 'NetworkPolicy', 'gateway').spec.ingress.map((rule: Any) => rule.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      expect(admitted).toEqual(expect.arrayContaining(['ingress-nginx', 'envoy-gateway-system']));
    });

    it('rejects a misspelt HTTPRoute, PodMonitor or ScheduledBackup', () => {
      const route: Any = structuredClone(find(objects(), 'HTTPRoute', 'chat'));
      route.spec.rules[0].sessionPersistance = route.spec.rules[0].sessionPersistence;
      expect(validateObject(route).join()).toMatch(/sessionPersistance/);
      const monitor: Any = structuredClone(find(objects(), 'PodMonitor', 'chat-services'));
      monitor.spec.podMetricsEndpoints[0].targetPort = 8080;
      expect(validateObject(monitor).join()).toMatch(/targetPort/);
      const backup: Any = structuredClone(objects().find((o) => o.kind === 'ScheduledBackup'));
      backup.spec.schedule = '0 2 * * *';
      expect(validateObject(backup).join()).toMatch(/six-field cron/);
    });
  }

  describe('each service has its own engine credentials, allowed only what it owns', () => {
    const REDIS_USERS: Partial<Record<keyof typeof SERVICES, string>> = { gateway: '~gateway:* &gateway:typing:*', auth: '~auth:*', presence: '~presence:*' };
    const secretRef = (service: string, variable: string): Any =>
      find(objects(), 'Deployment', service).spec.template.spec.containers[0].env.find((e: Any) => e.name === variable)?.valueFrom?.secretKeyRef;

    it('Kafka authenticates every client (SCRAM) and authorizes with ACLs', () => {
      const kafka = find(objects(), 'Kafka', 'chat-kafka').spec.kafka;
      expect(kafka.listeners.map((l: Any) => l.authentication?.type)).toEqual(['scram-sha-512']);
      expect(kafka.authorization).toEqual({ type: 'simple' });
      expect(find(objects(), 'Kafka', 'chat-kafka').spec.entityOperator.userOperator).toBeDefined();
      expect(objects().filter((o) => o.kind === 'KafkaUser').map((o) => o.metadata.name).sort()).toEqual(Object.keys(SERVICES).sort());
    });

    it.each(SERVICE_NAMES)('%s: its KafkaUser allows exactly its topics, their dead letters and its group prefix', (service) => {
      const user = find(objects(), 'KafkaUser', service);
      expect(user.spec.authentication).toEqual({ type: 'scram-sha-512' });
      // Order aside, the grants of kafka-acls.ts (the same derivation the compose broker is set up with).
      const byResource = (acls: { resource: { type: string; name: string; patternType: string }; operations: string[] }[]) =>
        new Map(acls.map((a) => [`${a.resource.type} ${a.resource.patternType} ${a.resource.name}`, new Set(a.operations)]));
      expect(byResource(user.spec.authorization.acls as Any[])).toEqual(byResource(kafkaAcls(service)));
      // The service logs in as that user, with the password of the operator's Secret.
      expect(config(service).KAFKA_SASL_USERNAME).toBe(service);
      expect(config(service).KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
      expect(secretRef(service, 'KAFKA_SASL_PASSWORD')).toEqual({ name: service, key: 'password' });
    });

    it('Redis: one ACL user per service that uses it, limited to its key prefix; the default user may only PING', () => {
      const script: string = find(objects(), 'ConfigMap', 'redis-acl').data['render-acl.sh'];
      const users = new Map(
        script
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line.startsWith('user '))
          .map((line) => [line.split(' ')[1], line] as const),
      );
      expect([...users.keys()].sort()).toEqual(['auth', 'default', 'gateway', 'presence', 'replica']);
      expect(users.get('default')).toBe('user default on nopass -@all +ping');
      expect(users.get('replica')).toMatch(/^user replica on >\$\{REPLICA_PASSWORD\} -@all \+psync \+replconf \+ping$/);
      for (const service of Object.keys(SERVICES) as (keyof typeof SERVICES)[]) {
        const patterns = REDIS_USERS[service];
        if (patterns === undefined) {
          expect(config(service).REDIS_USERNAME).toBeUndefined();
          expect(secretRef(service, 'REDIS_PASSWORD')).toBeUndefined();
          continue;
        }
        expect(users.get(service)).toBe(`user ${service} on >\${${service.toUpperCase()}_PASSWORD} ${patterns} +@all -@dangerous +info`);
        expect(config(service).REDIS_USERNAME).toBe(service);
        expect(secretRef(service, 'REDIS_PASSWORD')).toEqual({ name: 'redis-users', key: service });
      }
      for (const set of objects().filter((o: Any) => o.kind === 'StatefulSet' && o.metadata.labels['app.kubernetes.io/name'] === 'redis') as Any[]) {
        const pod = set.spec.template.spec;
        expect(pod.containers[0].args.join(' ')).toContain('--aclfile /acl/users.acl');
        expect(pod.initContainers[0].command).toEqual(['sh', '/scripts/render-acl.sh']);
        expect(pod.volumes.find((v: Any) => v.name === 'acl').emptyDir.medium).toBe('Memory');
      }
    });

    it("Cassandra: authentication on; messaging logs in as its own role, granted its keyspace only", () => {
      expect(find(objects(), 'K8ssandraCluster', 'chat-cassandra').spec.auth).toBe(true);
      expect(config('messaging').CASSANDRA_USERNAME).toBe('messaging');
      expect(secretRef('messaging', 'CASSANDRA_PASSWORD')).toEqual({ name: 'cassandra-roles', key: 'messaging' });
      for (const service of Object.keys(SERVICES).filter((s) => s !== 'messaging')) expect(config(service).CASSANDRA_USERNAME).toBeUndefined();
      const job = find(objects(), 'Job', 'cassandra-roles').spec.template.spec.containers[0];
      const cql: string = job.args[0];
      expect(cql.match(/GRANT [^;]+;/g)).toEqual(['GRANT ALL PERMISSIONS ON KEYSPACE $CASSANDRA_KEYSPACE TO messaging;']);
      expect(cql).not.toMatch(/SUPERUSER = true|ALL KEYSPACES/i);
      const fromConfig = (name: string): Any => job.env.find((e: Any) => e.name === name)?.valueFrom?.configMapKeyRef;
      expect(fromConfig('CASSANDRA_KEYSPACE')).toEqual({ name: 'messaging-config', key: 'CASSANDRA_KEYSPACE' });
      expect(fromConfig('CASSANDRA_REPLICATION')).toEqual({ name: 'messaging-config', key: 'CASSANDRA_REPLICATION' });
      const cqlFrom = find(objects(), 'NetworkPolicy', 'cassandra').spec.ingress[0].from.map((peer: Any) => peer.podSelector.matchLabels['app.kubernetes.io/name']);
      expect(cqlFrom.sort()).toEqual(['cassandra-roles', 'messaging']);
    });
  });

  it('lets each service reach only DNS, Kafka, its own engines and the services it calls', () => {
    const egressTargets = (service: string): string[] =>
      find(objects(), 'NetworkPolicy', service).spec.egress.flatMap((rule: Any) =>
        rule.to.map((peer: Any) => JSON.stringify(peer.podSelector?.matchLabels ?? peer.ipBlock?.cidr ?? peer.namespaceSelector?.matchLabels)),
      );
    const kafka = JSON.stringify({ 'strimzi.io/cluster': 'chat-kafka', 'strimzi.io/kind': 'Kafka' });
    const app = (name: string) => JSON.stringify({ 'app.kubernetes.io/name': name });
    const dns = JSON.stringify({ 'k8s-app': 'kube-dns' });
    expect(egressTargets('gateway').sort()).toEqual([dns, kafka, app('redis'), app('auth'), app('messaging'), app('presence'), app('files')].sort());
    expect(egressTargets('auth').sort()).toEqual([dns, kafka, app('redis'), JSON.stringify({ 'cnpg.io/cluster': 'auth-postgres' })].sort());
    expect(egressTargets('messaging').sort()).toEqual([dns, kafka, JSON.stringify({ 'cassandra.datastax.com/cluster': 'chat-cassandra' }), app('auth')].sort());
    expect(egressTargets('presence').sort()).toEqual([dns, kafka, app('redis'), app('auth')].sort());
    expect(egressTargets('files').sort()).toEqual([dns, kafka, JSON.stringify({ 'cnpg.io/cluster': 'files-postgres' }), JSON.stringify('0.0.0.0/0'), app('auth')].sort());
    expect(find(objects(), 'NetworkPolicy', 'services-default-deny').spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });
});

describe('k8s/overlays/rabbitmq (BUS=rabbitmq on the RabbitMQ Cluster Operator)', () => {
  const objects = (): K8sObject[] => objectsOf('rabbitmq');

  it('renders, every object valid against its schema, a three-node RabbitmqCluster and no Strimzi resource left', () => {
    expect(validateObjects(objects()).flat()).toEqual([]);
    expect(find(objects(), 'RabbitmqCluster', 'chat-rabbitmq').spec.replicas).toBe(3);
    expect(objects().filter((o) => o.apiVersion.startsWith('kafka.strimzi.io/'))).toEqual([]);
    const misspelt: Any = structuredClone(find(objects(), 'RabbitmqCluster', 'chat-rabbitmq'));
    misspelt.spec.replica = 3;
    expect(validateObject(misspelt).join()).toMatch(/replica/);
  });

  it.each(Object.keys(SERVICES))('%s: BUS=rabbitmq at the cluster, its own user\'s credentials, egress to 5672, no Kafka user', (service) => {
    const config = find(objects(), 'ConfigMap', `${service}-config`).data;
    expect({ BUS: config.BUS, RABBITMQ_URL: config.RABBITMQ_URL, KAFKA_SASL_USERNAME: config.KAFKA_SASL_USERNAME }).toEqual({ BUS: 'rabbitmq', RABBITMQ_URL: 'amqp://chat-rabbitmq:5672', KAFKA_SASL_USERNAME: undefined });
    const env = find(objects(), 'Deployment', service).spec.template.spec.containers[0].env as Any[];
    const ref = (name: string): Any => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    // Its own user's Secret, generated by the Messaging Topology Operator; never the cluster's default (administrator) user.
    expect(ref('RABBITMQ_USERNAME')).toEqual({ name: `chat-${service}-user-credentials`, key: 'username' });
    expect(ref('RABBITMQ_PASSWORD')).toEqual({ name: `chat-${service}-user-credentials`, key: 'password' });
    expect(ref('KAFKA_SASL_PASSWORD')).toBeUndefined();
    const egress = find(objects(), 'NetworkPolicy', service).spec.egress as Any[];
    expect(egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'chat-rabbitmq' } } }], ports: [{ protocol: 'TCP', port: 5672 }] });
  });

  it.each(Object.entries(KAFKA_ACCESS))('%s: its RabbitMQ user may declare the streams of its topics and its groups\' queues, read what it consumes, publish only through the default exchange', (service, access) => {
    const user = find(objects(), 'User', `chat-${service}`);
    expect(user.spec).toEqual({ rabbitmqClusterReference: { name: 'chat-rabbitmq' } });
    const permission = find(objects(), 'Permission', `chat-${service}`);
    expect(permission.spec.userReference).toEqual({ name: `chat-${service}` });
    expect(permission.spec.vhost).toBe('/');
    const { configure, write, read } = permission.spec.permissions as Record<'configure' | 'write' | 'read', string>;
    // RabbitMQ matches a resource name against each permission as an unanchored regular expression.
    const allows = (pattern: string, name: string): boolean => new RegExp(pattern).test(name);
    const used = new Set([...access.consumes, ...access.produces]);
    for (const topic of ALL_TOPICS) {
      for (const p of [0, topic.partitions - 1]) {
        const stream = `${topic.name}.p${p}`;
        const deadLetters = `${deadLetterTopicName(topic.name)}.p${p}`;
        expect({ stream, configure: allows(configure, stream), read: allows(read, stream) }).toEqual({ stream, configure: used.has(topic.name), read: access.consumes.includes(topic.name) });
        expect({ deadLetters, configure: allows(configure, deadLetters), read: allows(read, deadLetters) }).toEqual({ deadLetters, configure: used.has(topic.name), read: false });
      }
    }
    // Its consumer groups (`<service>` and `<service>.<purpose>`): leases and member queue; no other service's.
    for (const queue of [`${service}.owner.p0`, `${service}.members`, `${service}.shares.owner.p5`, `${service}.shares.members`]) {
      expect({ queue, configure: allows(configure, queue), read: allows(read, queue) }).toEqual({ queue, configure: true, read: true });
    }
    for (const other of Object.keys(SERVICES).filter((s) => s !== service)) {
      for (const queue of [`${other}.owner.p0`, `${other}.members`]) expect({ queue, configure: allows(configure, queue), read: allows(read, queue) }).toEqual({ queue, configure: false, read: false });
    }
    // Every publish goes through the default exchange (to a stream or a lease queue), and only there.
    expect(write).toBe('^amq\\.default$');
    expect(allows(write, 'amq.default')).toBe(true);
    expect(allows(write, 'amq.topic')).toBe(false);
  });

  it('refuses a permission that is not a regular expression', () => {
    const broken: Any = structuredClone(find(objects(), 'Permission', 'chat-gateway'));
    broken.spec.permissions.read = '^(chat';
    expect(validateObject(broken).join()).toMatch(/regular expression/);
  });
});
