# Shared by the lab scripts: paths, logging, and the step runner that names what failed.
# shellcheck shell=bash disable=SC2034 # the variables are used by the files that source this one

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../versions.env
source "$LAB_SRC/versions.env"

# Everything the lab makes lives here, outside the repository, so that a fresh clone finds it already installed.
LAB_HOME=${LAB_HOME:-/var/lib/docker-build-lab}
LAB_BIN=$LAB_HOME/bin
LAB_RUN=$LAB_HOME/run
LAB_LOG=$LAB_HOME/log
LAB_STAMPS=$LAB_HOME/stamps
LAB_CA_DIR=$LAB_HOME/ca
LAB_SECRETS=$LAB_HOME/secrets
LAB_CACHE=$LAB_HOME/cache
# buildx goes where the Docker CLI finds plugins whatever DOCKER_CONFIG says: docker-build runs with a private one.
LAB_PLUGIN_DIR=${LAB_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}

# The registries listen on 127.0.0.1 but are named by host names that /etc/hosts maps there. Container tools treat a
# registry at "localhost" or a loopback IP as plain HTTP unless told otherwise (containerd's docker.MatchLocalhost, used
# by buildx's imagetools), which a real registry never is; a real name keeps the lab's TLS path the same as a user's.
LAB_REGISTRY=$REGISTRY_HOST:$REGISTRY_PORT
LAB_REGISTRY2=$REGISTRY2_HOST:$REGISTRY2_PORT
LAB_BUILDKIT_IMAGE=$LAB_REGISTRY/lab/buildkit:$BUILDKIT_VERSION
LAB_BASE_IMAGE=$LAB_REGISTRY/lab/busybox:1
# The fixture vulnerability database, published as Trivy's own is (an OCI artifact, tag = the DB schema version).
LAB_TRIVY_DB_REPOSITORY=$LAB_REGISTRY/lab/trivy-db:2
# The runner image's base in the lab: docker CLI, buildx, Node.js and Trivy from the host (runner/Dockerfile's BASE).
LAB_RUNNER_BASE_IMAGE=$LAB_REGISTRY/lab/runner-base:1
LAB_CA_CERT=$LAB_CA_DIR/ca.crt

export PATH="$LAB_BIN:/usr/local/go/bin:$PATH"

lab_dirs() {
  mkdir -p "$LAB_BIN" "$LAB_RUN" "$LAB_LOG" "$LAB_STAMPS" "$LAB_CA_DIR" "$LAB_CACHE"
  install -d -m 700 "$LAB_SECRETS"
}

say() { printf 'lab: %s\n' "$*" >&2; }

die() {
  printf 'lab: error: %s\n' "$*" >&2
  exit 1
}

# step NAME FUNCTION [ARGS...]: runs a setup step with its output in a log file; on failure names the step and shows
# the end of that log, so "lab:up failed" always says which piece could not be set up and why.
step() {
  local name=$1
  shift
  local slug=${name,,}
  slug=${slug//[^a-z0-9]/-}
  local log=$LAB_LOG/step-$slug.log
  local started=$SECONDS rc
  # A subshell outside any condition, so that `set -e` holds inside the step: bash ignores -e in a function called
  # from `if`, `||` or `&&`, which would let a failed command in the middle of a step go unnoticed.
  # Temporary files of the step go to a directory of its own, removed when the step ends, however it ends.
  set +e
  (
    set -eo pipefail
    TMPDIR=$(mktemp -d)
    export TMPDIR
    trap 'rm -rf "$TMPDIR"' EXIT
    "$@"
  ) >"$log" 2>&1
  rc=$?
  set -e
  if ((rc != 0)); then
    printf 'lab: error: could not set up %s (exit %d; log: %s); last lines:\n' "$name" "$rc" "$log" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
  if ((SECONDS - started >= 2)); then say "$name: $((SECONDS - started))s"; fi
}

# pid_alive FILE: the process named by a pid file is running.
pid_alive() {
  [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for SECONDS COMMAND...: polls until the command succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

stamp_matches() { [[ -f $LAB_STAMPS/$1 && $(cat "$LAB_STAMPS/$1") == "$2" ]]; }
stamp_write() { printf '%s\n' "$2" >"$LAB_STAMPS/$1"; }

registry_password() { cat "$LAB_SECRETS/registry${1:-}.password"; }
