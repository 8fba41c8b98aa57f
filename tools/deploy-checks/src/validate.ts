// Validates rendered objects: core Kubernetes kinds against the Kubernetes OpenAPI schemas (the
// kubernetes-models classes, whose validate() runs them through ajv), operator resources against
// ./operator-schemas. A kind known to neither is an error, so a new kind must be registered here.
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { OPERATOR_SCHEMAS } from './operator-schemas';
import { type K8sObject } from './render';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const CORE_MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** The problems of one object ([] when valid), each prefixed with `<Kind>/<name>`. */
export function validateObject(object: K8sObject): string[] {
  const id = `${String(object?.kind)}/${String(object?.metadata?.name)}`;
  const key = `${String(object?.apiVersion)}/${String(object?.kind)}`;
  const Model = CORE_MODELS[key];
  if (Model) {
    try {
      new Model(object as never).validate();
      return [];
    } catch (error) {
      return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
    }
  }
  const schema = OPERATOR_SCHEMAS[key];
  if (schema) {
    const result = schema.safeParse(object);
    return result.success ? [] : result.error.issues.map((issue) => `${id}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return [`${id}: no schema for ${key} (register it in tools/deploy-checks/src/validate.ts)`];
}
