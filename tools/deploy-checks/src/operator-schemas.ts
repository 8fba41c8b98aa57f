// Operator custom resources, checked against hand-written zod schemas of the fields these
// manifests use (strict: an unknown or misspelt field is an error, which a structural CRD schema
// does not catch — the API server prunes it silently). ./validate.ts runs these IN ADDITION to the
// operators' published CRD schemas for Strimzi and CloudNativePG; for K8ssandra, which publishes
// no schema package reachable from this machine, they are the only check. Versions modelled:
// Strimzi kafka.strimzi.io/v1beta2 (KRaft + node pools), K8ssandra k8ssandra.io/v1alpha1,
// CloudNativePG postgresql.cnpg.io/v1.
import { z } from 'zod';

const quantity = z.union([z.string().regex(/^[0-9.]+(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/), z.number()]);
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
const kafkaConfigValue = z.union([z.string(), z.number(), z.boolean()]);

const Kafka = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
    kind: z.literal('Kafka'),
    metadata: metadata.extend({
      annotations: z.object({ 'strimzi.io/node-pools': z.literal('enabled'), 'strimzi.io/kraft': z.literal('enabled') }).catchall(z.string()),
    }),
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
                    networkPolicyPeers: z.array(z.object({ podSelector: labelSelector }).strict()).optional(),
                  })
                  .strict(),
              )
              .min(1),
            config: z.record(z.string(), kafkaConfigValue),
            rack: z.object({ topologyKey: z.string() }).strict().optional(),
          })
          .strict(),
        entityOperator: z.object({ topicOperator: z.object({ resources }).strict().partial() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

const KafkaNodePool = z
  .object({
    apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
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
    apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
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

const pvcSpec = z
  .object({
    storageClassName: z.string().optional(),
    accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany', 'ReadWriteMany'])),
    resources: z.object({ requests: z.object({ storage: quantity }).strict() }).strict(),
  })
  .strict();

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
            serverVersion: z.string().regex(/^[345]\.\d+\.\d+$/),
            config: z
              .object({
                cassandraYaml: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
                jvmOptions: z.object({ heapSize: quantity }).strict().optional(),
              })
              .strict()
              .optional(),
            resources: resources.optional(),
            datacenters: z
              .array(
                z
                  .object({
                    metadata: z.object({ name: dnsLabel }).strict(),
                    size: z.number().int().min(1),
                    storageConfig: z.object({ cassandraDataVolumeClaimSpec: pvcSpec }).strict(),
                    racks: z.array(z.object({ name: dnsLabel, nodeAffinityLabels: z.record(z.string(), z.string()).optional() }).strict()).optional(),
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
      })
      .strict(),
  })
  .strict();

/** `<apiVersion>/<kind>` → schema of the operator resources these manifests may contain. */
export const OPERATOR_SCHEMAS: Record<string, z.ZodType> = {
  'kafka.strimzi.io/v1beta2/Kafka': Kafka,
  'kafka.strimzi.io/v1beta2/KafkaNodePool': KafkaNodePool,
  'kafka.strimzi.io/v1beta2/KafkaTopic': KafkaTopic,
  'k8ssandra.io/v1alpha1/K8ssandraCluster': K8ssandraCluster,
  'postgresql.cnpg.io/v1/Cluster': PostgresCluster,
};
