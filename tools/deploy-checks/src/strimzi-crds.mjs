// Validates Strimzi custom resources against the CRD schemas Strimzi publishes (0.49 / 1.0, as
// compiled by @kubernetes-models/strimzi-kafka-operator). That package is ES-module only, so it
// runs here as a child process of ./validate.ts: stdin a JSON array of objects, stdout a JSON array
// with each object's problems ([] when valid).
import { readFileSync } from 'node:fs';
import * as v1 from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const problems = objects.map((object) => {
  const Model = object?.apiVersion === 'kafka.strimzi.io/v1' ? v1[object.kind] : undefined;
  if (typeof Model !== 'function') return [`no Strimzi CRD for ${object?.apiVersion}/${object?.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [String(error instanceof Error ? error.message : error)];
  }
});
process.stdout.write(JSON.stringify(problems));
