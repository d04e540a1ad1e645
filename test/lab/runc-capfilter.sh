#!/usr/bin/env bash
# An OCI runtime for the lab's dockerd: runc, after dropping from a container's (or an exec'd process's) capability
# sets every capability that this machine's bounding set lacks.
#
# Why: some sandboxes (this project's machines among them) run everything without CAP_SYS_RESOURCE in the bounding
# set. dockerd 20.10 gives a privileged container, and a privileged exec, every capability the kernel knows; runc's
# capset then fails with "unable to apply caps: operation not permitted", and buildx's docker-container driver, which
# runs BuildKit privileged and execs buildctl in it, cannot start. No process here can hold the missing capability
# anyway, so dropping it changes nothing a container could do. lab:up installs this runtime only where the bounding
# set is short.
set -euo pipefail

bundle="" process=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --bundle | -b) bundle=${args[i + 1]:-} ;;
    --bundle=*) bundle=${args[i]#--bundle=} ;;
    --process | -p) process=${args[i + 1]:-} ;;
    --process=*) process=${args[i]#--process=} ;;
  esac
done

# filter FILE PATH: keeps, in each capability set at the jq PATH of the JSON file, only what the bounding set allows.
filter() {
  local file=$1 path=$2 bounding allowed filtered
  bounding=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  allowed=$(capsh --decode="$bounding" | sed 's/^[^=]*=//' | jq -R 'ascii_upcase | split(",")')
  filtered=$(jq --argjson allowed "$allowed" \
    "if $path then $path |= map_values(map(select(IN(\$allowed[])))) else . end" "$file")
  printf '%s\n' "$filtered" >"$file"
}

if [[ -n $bundle && -f $bundle/config.json ]]; then filter "$bundle/config.json" .process.capabilities; fi
if [[ -n $process && -f $process ]]; then filter "$process" .capabilities; fi
exec runc "$@"
