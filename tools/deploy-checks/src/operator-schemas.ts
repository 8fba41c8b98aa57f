// Operator custom resources, checked against hand-written zod schemas of the fields these
// manifests use (strict: an unknown or misspelt field is an error, which a structural CRD schema
// does not catch — the API server prunes it silently). ./validate.ts runs these IN ADDITION to the
// operators' published CRD schemas for Strimzi and CloudNativePG. K8ssandra publishes no schema
// package reachable from this machine, so for K8ssandraCluster the hand-written schema below is the
// only check; it was cross-checked by hand against the upstream CRD (commit named there). Versions
// modelled:
// Strimzi kafka.strimzi.io/v1 (KRaft + node pools), K8ssandra k8ssandra.io/v1alpha1,
// CloudNativePG postgresql.cnpg.io/v1 (Cluster, ScheduledBackup). Only these hand-written schemas
// check the resources of the prod overlay's components: K8ssandra's MedusaBackupSchedule, the
// Prometheus Operator's PodMonitor and the Gateway API's Gateway and HTTPRoute (experimental
// channel for sessionPersistence), modelled on their v1 / v1alpha1 CRDs for the fields used.
import { z } from 'zod';

// A Kubernetes resource quantity, as a number or a string: a non-negative decimal, then at most one
// of a binary suffix (Ki … Ei), a decimal suffix (n u m k M G T P E) or a decimal exponent (e3).
const quantity = z.union([z.string().regex(/^(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/), z.number().nonnegative()]);
const resources = z
  .object({
    requests: z.object({ cpu: quantity, memory: quantity }).strict().partial(),
    limits: z.object({ cpu: quantity, memory: quantity }).strict().partial(),
  })
  .strict()
  .partial();
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).max(253);
const metadata = z
  .object({ name: dnsLabel, namespace: dnsLabel.optional(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() })
  .strict();
const labelSelector = z.object({ matchLabels: z.record(z.string(), z.string()) }).strict();
const topologySpread = z
  .object({ maxSkew: z.number().int().min(1), topologyKey: z.string(), whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']), labelSelector })
  .strict();
const secretKeyRef = z.object({ name: dnsLabel, key: z.string().min(1) }).strict();
const kafkaConfigValue = z.union([z.string(), z.number(), z.boolean()]);

const Kafka = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1'),
    kind: z.literal('Kafka'),
    metadata,
    spec: z
      .object({
        kafka: z
          .object({
            version: z.string().optional(),
            listeners: z
              .array(
                z
                  .object({
                    name: z.string().regex(/^[a-z0-9]{1,11}$/),
                    port: z.number().int().min(9092).max(65535),
                    type: z.enum(['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip']),
                    tls: z.boolean(),
                    authentication: z.object({ type: z.enum(['scram-sha-512', 'tls', 'custom']) }).strict().optional(),
                    networkPolicyPeers: z.array(z.object({ podSelector: labelSelector }).strict()).optional(),
                  })
                  .strict(),
              )
              .min(1),
            authorization: z.object({ type: z.literal('simple'), superUsers: z.array(z.string()).optional() }).strict().optional(),
            config: z.record(z.string(), kafkaConfigValue),
            rack: z.object({ topologyKey: z.string() }).strict().optional(),
          })
          .strict(),
        entityOperator: z
          .object({ topicOperator: z.object({ resources }).strict().partial(), userOperator: z.object({ resources }).strict().partial() })
          .strict()
          .partial()
          .optional(),
      })
      .strict(),
  })
  .strict();

const KafkaNodePool = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1'),
    kind: z.literal('KafkaNodePool'),
    metadata: metadata.extend({ labels: z.object({ 'strimzi.io/cluster': dnsLabel }).catchall(z.string()) }),
    spec: z
      .object({
        replicas: z.number().int().min(1),
        roles: z.array(z.enum(['controller', 'broker'])).min(1),
        storage: z
          .object({
            type: z.literal('jbod'),
            volumes: z
              .array(
                z
                  .object({
                    id: z.number().int().min(0),
                    type: z.enum(['persistent-claim', 'ephemeral']),
                    size: quantity,
                    deleteClaim: z.boolean().optional(),
                    kraftMetadata: z.literal('shared').optional(),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
        resources: resources.optional(),
        template: z.object({ pod: z.object({ topologySpreadConstraints: z.array(topologySpread) }).strict() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

const KafkaTopic = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1'),
    kind: z.literal('KafkaTopic'),
    metadata: metadata.extend({ labels: z.object({ 'strimzi.io/cluster': dnsLabel }).catchall(z.string()) }),
    spec: z
      .object({
        topicName: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
        partitions: z.number().int().min(1),
        replicas: z.number().int().min(1).max(32767),
        config: z.record(z.string(), kafkaConfigValue).optional(),
      })
      .strict(),
  })
  .strict();

const KafkaUser = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1'),
    kind: z.literal('KafkaUser'),
    metadata: metadata.extend({ labels: z.object({ 'strimzi.io/cluster': dnsLabel }).catchall(z.string()) }),
    spec: z
      .object({
        authentication: z.object({ type: z.literal('scram-sha-512') }).strict(),
        authorization: z
          .object({
            type: z.literal('simple'),
            acls: z
              .array(
                z
                  .object({
                    resource: z
                      .object({ type: z.enum(['topic', 'group']), name: z.string().min(1), patternType: z.enum(['literal', 'prefix']) })
                      .strict(),
                    operations: z.array(z.enum(['Read', 'Write', 'Describe', 'Delete'])).min(1),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

const pvcSpec = z
  .object({
    storageClassName: z.string().optional(),
    accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany', 'ReadWriteMany'])),
    resources: z.object({ requests: z.object({ storage: quantity }).strict() }).strict(),
  })
  .strict();

// K8ssandraCluster (k8ssandra.io/v1alpha1). K8ssandra publishes no schema package reachable from
// here, so this is the only check of it. Checked field by field against the operator's own CRD,
// config/crd/bases/k8ssandra.io_k8ssandraclusters.yaml in k8ssandra/k8ssandra-operator at commit
// 02660f1c0b4d0c5675903e043a72c342cc37f88c (controller-gen v0.21.0), for the paths our manifests
// use. Where the CRD says the same, so do we: auth is a boolean; a datacenter needs size (int32,
// at least 1) and metadata.name; a rack needs a name of at least 2 characters and pins itself with
// nodeAffinityLabels (string to string); heapSize, resources and the claim's storage are quantities.
// Where the CRD is looser, we are deliberately stricter:
// - serverVersion: the CRD only asks for X.Y.Z somewhere in an optional string; we require exactly
//   X.Y.Z, of Cassandra 5 (see cassandraServerVersion).
// - cassandraYaml: free-form in the CRD, but Cassandra refuses to start on a cassandra.yaml key it
//   does not know, so we list the keys we set (num_tokens, paxos_variant and the batch thresholds are Cassandra 5.0 keys).
// - storageConfig: the CRD lets it sit at cluster or datacenter level (the operator's webhook wants
//   one of the two); ours sits in each datacenter and is required there.
// - accessModes: plain strings in the CRD; we allow only the modes Kubernetes knows.
// heapSize is deprecated upstream (heap_initial_size and heap_max_size replace it) but still
// honoured: the operator applies it to both.
const cassandraServerVersion = z.string().superRefine((version, ctx) => {
  const match = /^(\d+)\.\d+\.\d+$/.exec(version);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `serverVersion "${version}" is not a Cassandra release number (MAJOR.MINOR.PATCH)` });
  } else if (Number(match[1]) < 5) {
    ctx.addIssue({
      code: 'custom',
      message: `serverVersion ${version} is below Cassandra 5.0: messaging's migrations create storage-attached indexes (SAI), which Cassandra 4.x and older do not have`,
    });
  } else if (Number(match[1]) > 5) {
    ctx.addIssue({ code: 'custom', message: `serverVersion ${version}: the K8ssandra CRD supports Cassandra 3.11.x, 4.x.x and 5.x.x only` });
  }
});

const K8ssandraCluster = z
  .object({
    apiVersion: z.literal('k8ssandra.io/v1alpha1'),
    kind: z.literal('K8ssandraCluster'),
    metadata,
    spec: z
      .object({
        auth: z.boolean().optional(),
        cassandra: z
          .object({
            serverVersion: cassandraServerVersion,
            config: z
              .object({
                cassandraYaml: z
                  .object({
                    num_tokens: z.number().int().min(1),
                    paxos_variant: z.enum(['v1', 'v2']),
                    batch_size_warn_threshold: z.string().regex(/^\d+KiB$/),
                    batch_size_fail_threshold: z.string().regex(/^\d+KiB$/),
                    unlogged_batch_across_partitions_warn_threshold: z.number().int().min(1),
                  })
                  .strict()
                  .partial()
                  .optional(),
                jvmOptions: z.object({ heapSize: quantity }).strict().optional(),
              })
              .strict()
              .optional(),
            resources: resources.optional(),
            telemetry: z.object({ prometheus: z.object({ enabled: z.boolean() }).strict() }).strict().optional(),
            datacenters: z
              .array(
                z
                  .object({
                    metadata: z.object({ name: dnsLabel }).strict(),
                    size: z.number().int().min(1).max(2 ** 31 - 1),
                    storageConfig: z.object({ cassandraDataVolumeClaimSpec: pvcSpec }).strict(),
                    racks: z.array(z.object({ name: dnsLabel.min(2), nodeAffinityLabels: z.record(z.string(), z.string()).optional() }).strict()).optional(),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
        // Medusa (backups to object storage) and Reaper (scheduled repairs), both optional.
        medusa: z
          .object({
            storageProperties: z
              .object({
                storageProvider: z.enum(['google_storage', 'azure_blobs', 's3', 's3_compatible', 's3_rgw', 'ibm_storage', 'local']),
                bucketName: z.string().min(3),
                prefix: z.string().optional(),
                storageSecretRef: z.object({ name: dnsLabel }).strict(),
                region: z.string().optional(),
                host: z.string().optional(),
              })
              .strict(),
          })
          .strict()
          .optional(),
        reaper: z.object({ autoScheduling: z.object({ enabled: z.boolean() }).strict() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

const PostgresCluster = z
  .object({
    apiVersion: z.literal('postgresql.cnpg.io/v1'),
    kind: z.literal('Cluster'),
    metadata,
    spec: z
      .object({
        instances: z.number().int().min(1),
        imageName: z.string().min(1),
        bootstrap: z.object({ initdb: z.object({ database: z.string().min(1), owner: z.string().min(1) }).strict() }).strict(),
        storage: z.object({ size: quantity, storageClass: z.string().optional() }).strict(),
        resources: resources.optional(),
        affinity: z
          .object({ topologyKey: z.string(), enablePodAntiAffinity: z.boolean(), podAntiAffinityType: z.enum(['preferred', 'required']) })
          .strict()
          .partial()
          .optional(),
        monitoring: z.object({ enablePodMonitor: z.boolean() }).strict().optional(),
        backup: z
          .object({
            retentionPolicy: z.string().regex(/^[1-9][0-9]*[dwm]$/),
            barmanObjectStore: z
              .object({
                destinationPath: z.string().regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/),
                s3Credentials: z.object({ accessKeyId: secretKeyRef, secretAccessKey: secretKeyRef }).strict(),
                wal: z.object({ compression: z.enum(['gzip', 'bzip2', 'snappy']) }).strict().optional(),
                data: z.object({ compression: z.enum(['gzip', 'bzip2', 'snappy']) }).strict().optional(),
              })
              .strict(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

// CloudNativePG ScheduledBackup: a six-field cron (seconds first), one cluster.
const ScheduledBackup = z
  .object({
    apiVersion: z.literal('postgresql.cnpg.io/v1'),
    kind: z.literal('ScheduledBackup'),
    metadata,
    spec: z
      .object({
        schedule: z.string().regex(/^(\S+\s+){5}\S+$/, 'a six-field cron expression (seconds first)'),
        backupOwnerReference: z.enum(['none', 'self', 'cluster']),
        method: z.enum(['barmanObjectStore', 'volumeSnapshot', 'plugin']),
        target: z.enum(['primary', 'prefer-standby']).optional(),
        cluster: z.object({ name: dnsLabel }).strict(),
      })
      .strict(),
  })
  .strict();

// K8ssandra MedusaBackupSchedule (medusa.k8ssandra.io/v1alpha1): a five-field cron.
const MedusaBackupSchedule = z
  .object({
    apiVersion: z.literal('medusa.k8ssandra.io/v1alpha1'),
    kind: z.literal('MedusaBackupSchedule'),
    metadata,
    spec: z
      .object({
        cronSchedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'a five-field cron expression'),
        backupSpec: z.object({ cassandraDatacenter: dnsLabel, backupType: z.enum(['differential', 'full']) }).strict(),
      })
      .strict(),
  })
  .strict();

// Prometheus Operator PodMonitor (monitoring.coreos.com/v1).
const PodMonitor = z
  .object({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PodMonitor'),
    metadata,
    spec: z
      .object({
        selector: labelSelector,
        podMetricsEndpoints: z
          .array(z.object({ port: z.string().min(1), path: z.string().startsWith('/'), interval: z.string().regex(/^\d+[smh]$/).optional() }).strict())
          .min(1),
      })
      .strict(),
  })
  .strict();

// Gateway API (gateway.networking.k8s.io/v1) Gateway and HTTPRoute; sessionPersistence is in the
// experimental channel (v1.1+).
const duration = z.string().regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, 'a Gateway API duration (e.g. 1h, 30s, 0s)');
const Gateway = z
  .object({
    apiVersion: z.literal('gateway.networking.k8s.io/v1'),
    kind: z.literal('Gateway'),
    metadata,
    spec: z
      .object({
        gatewayClassName: dnsLabel,
        listeners: z
          .array(
            z
              .object({
                name: dnsLabel,
                protocol: z.enum(['HTTP', 'HTTPS']),
                port: z.number().int().min(1).max(65535),
                hostname: z.string().optional(),
                tls: z.object({ mode: z.enum(['Terminate', 'Passthrough']), certificateRefs: z.array(z.object({ name: dnsLabel }).strict()).min(1) }).strict().optional(),
                allowedRoutes: z.object({ namespaces: z.object({ from: z.enum(['All', 'Same', 'Selector']) }).strict() }).strict().optional(),
              })
              .strict()
              .refine((l) => (l.protocol === 'HTTPS') === (l.tls !== undefined), 'an HTTPS listener needs tls, an HTTP one must not have it'),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();
const HTTPRoute = z
  .object({
    apiVersion: z.literal('gateway.networking.k8s.io/v1'),
    kind: z.literal('HTTPRoute'),
    metadata,
    spec: z
      .object({
        parentRefs: z.array(z.object({ name: dnsLabel, namespace: dnsLabel.optional(), sectionName: dnsLabel.optional() }).strict()).min(1),
        hostnames: z.array(z.string()).optional(),
        rules: z
          .array(
            z
              .object({
                matches: z.array(z.object({ path: z.object({ type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']), value: z.string().startsWith('/') }).strict() }).strict()),
                backendRefs: z.array(z.object({ name: dnsLabel, port: z.number().int().min(1).max(65535) }).strict()).min(1),
                timeouts: z.object({ request: duration, backendRequest: duration }).strict().partial().optional(),
                sessionPersistence: z
                  .object({
                    sessionName: z.string().min(1).max(128),
                    type: z.enum(['Cookie', 'Header']),
                    absoluteTimeout: duration.optional(),
                    idleTimeout: duration.optional(),
                    cookieConfig: z.object({ lifetimeType: z.enum(['Permanent', 'Session']) }).strict().optional(),
                  })
                  .strict()
                  .optional(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

// Prometheus Operator PrometheusRule (monitoring.coreos.com/v1): alerting rules only.
const PrometheusRule = z
  .object({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PrometheusRule'),
    metadata,
    spec: z
      .object({
        groups: z
          .array(
            z
              .object({
                name: z.string().min(1),
                rules: z
                  .array(
                    z
                      .object({
                        alert: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
                        expr: z.string().min(1),
                        for: z.string().regex(/^\d+[smh]$/).optional(),
                        labels: z.record(z.string(), z.string()).optional(),
                        annotations: z.record(z.string(), z.string()).optional(),
                      })
                      .strict(),
                  )
                  .min(1),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

// RabbitMQ Cluster Operator rabbitmq.com/v1beta1 (k8s/overlays/rabbitmq), the fields used.
const RabbitmqCluster = z
  .object({
    apiVersion: z.literal('rabbitmq.com/v1beta1'),
    kind: z.literal('RabbitmqCluster'),
    metadata,
    spec: z
      .object({
        replicas: z.number().int().min(1),
        image: z.string().optional(),
        resources: resources.optional(),
        persistence: z.object({ storage: quantity, storageClassName: z.string().optional() }).strict().optional(),
        rabbitmq: z.object({ additionalConfig: z.string().optional(), additionalPlugins: z.array(z.string()).optional() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

// RabbitMQ Messaging Topology Operator rabbitmq.com/v1beta1 (k8s/overlays/rabbitmq): a user with
// generated credentials (Secret `<name>-user-credentials`, keys username and password) and its
// permissions in a vhost (three regular expressions, each must compile).
const clusterReference = z.object({ name: dnsLabel, namespace: dnsLabel.optional() }).strict();
const permissionRegex = z.string().refine(
  (pattern) => {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a regular expression' },
);
const RabbitmqUser = z
  .object({
    apiVersion: z.literal('rabbitmq.com/v1beta1'),
    kind: z.literal('User'),
    metadata,
    spec: z
      .object({
        rabbitmqClusterReference: clusterReference,
        tags: z.array(z.enum(['management', 'policymaker', 'monitoring', 'administrator'])).optional(),
        importCredentialsSecret: z.object({ name: dnsLabel }).strict().optional(),
      })
      .strict(),
  })
  .strict();
const RabbitmqPermission = z
  .object({
    apiVersion: z.literal('rabbitmq.com/v1beta1'),
    kind: z.literal('Permission'),
    metadata,
    spec: z
      .object({
        vhost: z.string().min(1),
        userReference: z.object({ name: dnsLabel }).strict(),
        permissions: z.object({ configure: permissionRegex, write: permissionRegex, read: permissionRegex }).strict(),
        rabbitmqClusterReference: clusterReference,
      })
      .strict(),
  })
  .strict();

/** `<apiVersion>/<kind>` → schema of the operator resources these manifests may contain. */
export const OPERATOR_SCHEMAS: Record<string, z.ZodType> = {
  'kafka.strimzi.io/v1/Kafka': Kafka,
  'kafka.strimzi.io/v1/KafkaNodePool': KafkaNodePool,
  'kafka.strimzi.io/v1/KafkaTopic': KafkaTopic,
  'kafka.strimzi.io/v1/KafkaUser': KafkaUser,
  'k8ssandra.io/v1alpha1/K8ssandraCluster': K8ssandraCluster,
  'postgresql.cnpg.io/v1/Cluster': PostgresCluster,
  'postgresql.cnpg.io/v1/ScheduledBackup': ScheduledBackup,
  'medusa.k8ssandra.io/v1alpha1/MedusaBackupSchedule': MedusaBackupSchedule,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'gateway.networking.k8s.io/v1/Gateway': Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'rabbitmq.com/v1beta1/RabbitmqCluster': RabbitmqCluster,
  'rabbitmq.com/v1beta1/User': RabbitmqUser,
  'rabbitmq.com/v1beta1/Permission': RabbitmqPermission,
};
