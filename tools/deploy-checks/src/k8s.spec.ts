// Every kustomize overlay renders, every object in it is schema-valid (core kinds against the
// Kubernetes OpenAPI schemas, operator resources against ./operator-schemas), and the manifests
// keep the promises of the Deploy section of the README. Needs `kubectl` (kustomize built in).
import { ALL_TOPICS, deadLetterTopicName } from '@chat/contracts';
import { OVERLAYS, type K8sObject, type Overlay, renderOverlay } from './render';
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
    delete kafka.metadata.annotations['strimzi.io/kraft'];
    expect(validateObject(kafka)).not.toEqual([]);
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

  it.each(Object.entries(SERVICES))('%s: Deployment, Service, ConfigMap, PDB, NetworkPolicy; probes, limits, hardening, grace', (service, port) => {
    const deployment = find(objects(), 'Deployment', service);
    expect(find(objects(), 'Service', service)?.spec.ports[0].port).toBe(port);
    expect(find(objects(), 'PodDisruptionBudget', service)).toBeDefined();
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
    // The pod outlives the service's own shutdown deadline by at least 5 s.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(Number(config(service).SHUTDOWN_GRACE_MS) + 5000);
    // Secrets only by reference; the ConfigMap holds none.
    for (const env of container.env ?? []) expect(env.value).toBeUndefined();
    expect(Object.keys(config(service)).filter((key) => /SECRET|PASSWORD|ACCESS_KEY/.test(key))).toEqual([]);
    if (overlay === 'prod') {
      expect(pod.topologySpreadConstraints.map((c: Any) => c.topologyKey)).toContain('topology.kubernetes.io/zone');
      expect(config(service).KAFKA_REPLICATION_FACTOR).toBe('3');
    }
  });

  it('declares every topic of libs/contracts and its .dlq twin, with the contract partition counts', () => {
    const topics = new Map(objects().filter((o) => o.kind === 'KafkaTopic').map((o: Any) => [o.spec.topicName as string, o.spec]));
    const expected = ALL_TOPICS.flatMap((t) => [t.name, deadLetterTopicName(t.name)].map((name) => [name, t.partitions] as const));
    expect([...topics.keys()].sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, partitions] of expected) expect(topics.get(name)?.partitions).toBe(partitions);
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
