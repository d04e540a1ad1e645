#!/bin/sh
# The lab's stand-in for gitlab-ci-local's wait image (Docker Hub's wait-for-it, which cannot be pulled here).
# gitlab-ci-local runs it as `WAITIMAGE HOST:PORT -t SECONDS` for each TCP port a service image exposes, and takes
# exit 0 as "the service answers".
set -eu
target=${1:?usage: wait-for HOST:PORT [-t SECONDS]}
timeout=15
if [ "${2:-}" = -t ]; then timeout=${3:?-t needs a number of seconds}; fi
host=${target%:*}
port=${target##*:}
deadline=$(($(date +%s) + timeout))
# busybox nc has no -z: with stdin empty it connects, sends nothing and exits 0, or fails when nothing listens.
until nc -w 1 "$host" "$port" </dev/null >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "wait-for: $host:$port did not answer within ${timeout}s" >&2
    exit 1
  fi
  sleep 0.5
done
echo "wait-for: $host:$port answers"
