#!/usr/bin/env bash
# `npm test`: every tier, in order, stopping at the first that fails. Each step's time is printed
# as it ends and all of them again at the end, so a CI log says where its minutes went.
#   browser and Docker when missing → unit (Nx, cached) → engines (infra:up) → integration →
#   e2e (Kafka, then RabbitMQ) → failover (3-node cluster) → compose smoke test (where Docker is)
set -euo pipefail
cd "$(dirname "$0")/../.."
timings=()
step() {
  local name=$1
  shift
  local started=$SECONDS
  echo "test: ${name}..."
  "$@"
  timings+=("$(printf '%-12s %5d s' "$name" $((SECONDS - started)))")
  echo "test: ${name} took $((SECONDS - started)) s"
}
step setup bash -c 'bash tools/setup/browser.sh && bash tools/setup/docker.sh --optional'
step unit npx nx run-many -t test
step engines npm run infra:up
step integration npx jest --selectProjects integration --forceExit
step e2e npx jest --selectProjects e2e e2e-rabbitmq --runInBand
step failover npm run test:failover
step compose npm run test:compose
echo "test: every tier passed; time per step:"
printf '  %s\n' "${timings[@]}"
