// Renders a kustomize overlay the way `kubectl apply -k` would (kubectl's built-in kustomize) and
// parses the multi-document YAML into plain objects.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const OVERLAYS = ['dev', 'prod'] as const;
/** dev and prod, and the RabbitMQ variant of dev (checked on its own: it has no Kafka). */
export type Overlay = (typeof OVERLAYS)[number] | 'rabbitmq';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function renderOverlay(overlay: Overlay): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', join(REPO_ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new Error('kubectl is not installed: the deploy checks need kubectl >= 1.27 (kustomize v5 built in); see .ci/run');
    throw new Error(`kubectl kustomize k8s/overlays/${overlay} failed: ${String((error as { stderr?: string }).stderr ?? error)}`);
  }
  return parseYamlDocuments(output);
}

export function parseYamlDocuments(text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join('; '));
    const value = document.toJSON() as K8sObject | null;
    return value === null ? [] : [value];
  });
}
