#!/usr/bin/env bash
# npm run test:compose: the compose smoke test (e2e/compose), which starts docker/compose.yaml on
# free host ports and drives it through HAProxy. Installs/starts Docker where it can
# (tools/setup/docker.sh), builds the images (npm run images: cached layers make a rebuild
# quick), then runs the `compose` Jest project. Where no Docker daemon can be had it says so and
# exits 0: `npm test` must pass on machines without Docker, and says what it did not run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/setup/docker.sh --optional
if ! docker info >/dev/null 2>&1; then
  echo "compose smoke test: NOT RUN (no Docker daemon on this machine)"
  exit 0
fi
bash tools/images/build.sh
npx jest --selectProjects compose --runInBand
