// Validates rendered objects: core Kubernetes kinds against the Kubernetes OpenAPI schemas (the
// kubernetes-models classes, whose validate() runs them through ajv); operator resources against
// the CRD schemas the operators publish (Strimzi through ./strimzi-crds.mjs, CloudNativePG through
// @kubernetes-models/cloudnative-pg) AND against ./operator-schemas, whose strict zod schemas catch
// what a structural CRD schema lets through (an unknown or misspelt field is pruned silently by the
// API server, not refused). K8ssandra publishes no schema package reachable from here, so its
// resources have only the zod check, a hand-written schema cross-checked against the upstream CRD
// (see ./operator-schemas). A kind known to none of these is an error, so a new kind must be
// registered here.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Cluster as CnpgCluster, ScheduledBackup } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { OPERATOR_SCHEMAS } from './operator-schemas';
import { type K8sObject } from './render';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'postgresql.cnpg.io/v1/Cluster': CnpgCluster,
  'postgresql.cnpg.io/v1/ScheduledBackup': ScheduledBackup,
};

const STRIMZI_API = 'kafka.strimzi.io/v1';
const STRIMZI_SCRIPT = join(__dirname, 'strimzi-crds.mjs');

const keyOf = (object: K8sObject): string => `${String(object?.apiVersion)}/${String(object?.kind)}`;
const idOf = (object: K8sObject): string => `${String(object?.kind)}/${String(object?.metadata?.name)}`;

/** The problems of each object ([] when valid), each prefixed with `<Kind>/<name>`. */
export function validateObjects(objects: readonly K8sObject[]): string[][] {
  const strimzi = strimziProblems(objects.filter((object) => object?.apiVersion === STRIMZI_API));
  return objects.map((object) => {
    const key = keyOf(object);
    const Model = MODELS[key];
    const schema = OPERATOR_SCHEMAS[key];
    if (!Model && !schema && object?.apiVersion !== STRIMZI_API) return [`${idOf(object)}: no schema for ${key} (register it in tools/deploy-checks/src/validate.ts)`];
    const problems = [...(strimzi.get(object) ?? [])];
    if (Model) {
      try {
        new Model(object as never).validate();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (schema) {
      const result = schema.safeParse(object);
      if (!result.success) problems.push(...result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
    }
    return problems.map((problem) => `${idOf(object)}: ${problem}`);
  });
}

export function validateObject(object: K8sObject): string[] {
  return validateObjects([object])[0] ?? [];
}

/** Strimzi resources against Strimzi's CRD schemas, in one child process for all of them. */
function strimziProblems(objects: K8sObject[]): Map<K8sObject, string[]> {
  if (objects.length === 0) return new Map();
  const output = execFileSync(process.execPath, [STRIMZI_SCRIPT], { input: JSON.stringify(objects), encoding: 'utf8' });
  const problems = JSON.parse(output) as string[][];
  return new Map(objects.map((object, i) => [object, (problems[i] ?? ['no answer from the Strimzi validator']).map((p) => `Strimzi CRD: ${p}`)]));
}
