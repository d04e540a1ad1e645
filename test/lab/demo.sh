#!/usr/bin/env bash
# The quick start's first command: brings up the lab and builds examples/hello for linux/amd64 and linux/arm64 with a
# private Docker config and a throwaway builder, pushes it to the lab registry, and shows the index it made.
# (The docker-build pipeline replaces this smoke build once it exists.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash test/lab/lab.sh up
eval "$(bash test/lab/lab.sh env)"

DOCKER_CONFIG=$(mktemp -d)
export DOCKER_CONFIG
builder=demo-$$
cleanup() {
  docker buildx rm --force "$builder" >/dev/null 2>&1 || true
  rm -rf "$DOCKER_CONFIG"
}
trap cleanup EXIT

docker login --username "$LAB_REGISTRY_USER" --password-stdin "$LAB_REGISTRY" <<<"$LAB_REGISTRY_PASSWORD"
docker buildx create --name "$builder" --driver docker-container \
  --driver-opt "image=$LAB_BUILDKIT_IMAGE" --driver-opt network=host --bootstrap >/dev/null
image=$LAB_REGISTRY/examples/hello:demo
docker buildx build --builder "$builder" --platform "$LAB_PLATFORMS" --build-arg "BASE=$LAB_BASE_IMAGE" \
  --tag "$image" --push examples/hello
docker buildx imagetools inspect "$image"
