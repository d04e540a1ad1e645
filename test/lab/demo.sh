#!/usr/bin/env bash
# The quick start's first command: brings up the lab, then runs docker-build's pipeline on examples/hello with the
# local command, as a CI job would on this repository: tags from git, login with the password on stdin, a throwaway
# builder on the lab's BuildKit image, one build for linux/amd64 and linux/arm64 pushed by digest, the scan gate on
# each platform's digest, then the tags.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash test/lab/lab.sh up
eval "$(bash test/lab/lab.sh env)"

# The password goes in through the environment, never on a command line.
INPUT_PASSWORD=$LAB_REGISTRY_PASSWORD node dist/index.js build \
  --context examples/hello \
  --images "$LAB_REGISTRY/examples/hello" \
  --tags 'type=ref,event=branch' --tags 'type=sha' --tags 'type=semver,pattern={{version}}' \
  --platforms "$LAB_PLATFORMS" \
  --build-args "BASE=$LAB_BASE_IMAGE" \
  --registry "$LAB_REGISTRY" --username "$LAB_REGISTRY_USER" \
  --buildkit-image "$LAB_BUILDKIT_IMAGE" --driver-opts network=host \
  --db-repository "$LAB_TRIVY_DB_REPOSITORY" # the lab's fixture vulnerability database, a mirror as users name one
