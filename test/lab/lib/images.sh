# Makes the lab's images from local parts (nothing can be pulled here) and pushes them to the lab registry:
# a BuildKit image for buildx's docker-container driver, and a two-platform busybox base image.
# shellcheck shell=bash

# with_lab_login COMMAND...: runs COMMAND with a private Docker config logged in to the lab registry, removed after, so
# the lab leaves no credentials in ~/.docker (the tests check that nothing does).
with_lab_login() {
  local cfg rc=0
  cfg=$(mktemp -d)
  DOCKER_CONFIG=$cfg docker login -u lab --password-stdin "$LAB_REGISTRY" <"$LAB_SECRETS/registry.password" &&
    DOCKER_CONFIG=$cfg "$@" || rc=$?
  rm -rf "$cfg"
  return $rc
}

# registry_has REPO TAG: the lab registry holds the tag (credentials go to curl on stdin, never in its argv).
registry_has() {
  local accept=application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json
  accept+=,application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json
  printf 'user = "lab:%s"\n' "$(registry_password)" |
    curl -sf -K - -o /dev/null -I -H "Accept: $accept" --cacert "$LAB_CA_CERT" \
      "https://$LAB_REGISTRY/v2/$1/manifests/$2"
}

# copy_with_libs ROOTFS BINARY...: copies dynamically linked binaries with the shared libraries they load.
copy_with_libs() {
  local root=$1 bin lib
  shift
  for bin in "$@"; do
    install -D -m 755 "$bin" "$root/usr/bin/$(basename "$bin")"
    for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
      [[ -e $root$lib ]] || cp -L --parents "$lib" "$root"
    done
  done
}

# The BuildKit image: the go-built buildkitd and buildctl (buildx execs `buildctl` in the container to know when it is
# ready), Debian's runc, and the system's CA bundle, which holds the lab CA.
buildkit_image_up() {
  local inputs
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_BIN/buildkitd" "$LAB_BIN/buildctl" "$(command -v runc)" /etc/ssl/certs/ca-certificates.crt | sha256sum)
  if stamp_matches buildkit-image "$inputs" && registry_has lab/buildkit "$BUILDKIT_VERSION"; then return 0; fi
  local root
  root=$(mktemp -d)
  copy_with_libs "$root" "$LAB_BIN/buildkitd" "$LAB_BIN/buildctl" "$(command -v runc)"
  install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$root/etc/buildkit" "$root/var/lib/buildkit" "$root/run" "$root/tmp"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import \
    --change 'ENTRYPOINT ["buildkitd"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.opencontainers.image.version=$BUILDKIT_VERSION" \
    - "$LAB_BUILDKIT_IMAGE"
  rm -rf "$root"
  with_lab_login docker push "$LAB_BUILDKIT_IMAGE"
  stamp_write buildkit-image "$inputs"
}

# busybox_rootfs DIR BUSYBOX: a minimal root file system: busybox, its applets as links, a root user and /tmp.
busybox_rootfs() {
  local root=$1 busybox=$2 applet
  install -D -m 755 "$busybox" "$root/bin/busybox"
  # The applet list is the same for both architectures (one Debian version); the host's busybox prints it.
  for applet in $(/bin/busybox --list-full); do
    [[ $applet == bin/busybox ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
  done
  mkdir -p "$root/etc" "$root/root" "$root/tmp"
  chmod 1777 "$root/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
}

# The base image: busybox for linux/amd64 and linux/arm64 as one manifest list, built FROM scratch by the lab's own
# BuildKit (nothing runs in the build, so no emulation is needed). `docker import --platform` cannot make it: dockerd
# 20.10 ignores the platform and labels every import amd64.
base_image_up() {
  local inputs
  inputs=$(cat "${BASH_SOURCE[0]}" /bin/busybox "$LAB_CACHE/busybox-arm64/bin/busybox" | sha256sum)
  if stamp_matches base-image "$inputs" && registry_has lab/busybox 1; then return 0; fi
  local context
  context=$(mktemp -d)
  busybox_rootfs "$context/rootfs-amd64" /bin/busybox
  busybox_rootfs "$context/rootfs-arm64" "$LAB_CACHE/busybox-arm64/bin/busybox"
  # shellcheck disable=SC2016 # a Dockerfile variable
  printf '%s\n' 'FROM scratch' 'ARG TARGETARCH' 'COPY rootfs-${TARGETARCH}/ /' 'CMD ["sh"]' >"$context/Dockerfile"
  with_lab_login lab_buildx build --platform linux/amd64,linux/arm64 --provenance=false --sbom=false \
    --tag "$LAB_BASE_IMAGE" --push "$context"
  rm -rf "$context"
  stamp_write base-image "$inputs"
}

# The fixture vulnerability database (test/lab/vulndb): built from its YAML fixtures by a small Go program and pushed
# to the lab registry the way Trivy's database is published, so `trivy --db-repository` downloads it for real.
# Like the real one it says when it lapses (metadata.json's NextUpdate, a day after it is built); it is built again
# when less than half of that is left, so that the tests always meet a current database, as users do.
vulndb_up() {
  local src=$LAB_SRC/vulndb inputs
  inputs=$(cat "${BASH_SOURCE[0]}" "$src"/main.go "$src"/go.mod "$src"/go.sum "$src"/fixtures/*.yaml | sha256sum)
  if stamp_matches vulndb "$inputs" && vulndb_current 12 && registry_has lab/trivy-db 2; then return 0; fi
  CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -C "$src" -o "$LAB_BIN/vulndb" .
  with_lab_login "$LAB_BIN/vulndb" -fixtures "$src/fixtures" -out "$LAB_HOME/vulndb" -push "$LAB_TRIVY_DB_REPOSITORY"
  stamp_write vulndb "$inputs"
}

# vulndb_current HOURS: the database last built here stays current for at least HOURS more.
vulndb_current() {
  local next
  next=$(jq -er .NextUpdate "$LAB_HOME/vulndb/metadata.json" 2>/dev/null) || return 1
  next=$(date -d "$next" +%s 2>/dev/null) || return 1
  ((next > $(date +%s) + $1 * 3600))
}

# lab_buildx ARGS...: runs `docker buildx ARGS` on a throwaway docker-container builder that uses the lab BuildKit image.
lab_buildx() {
  local builder=lab-$$ rc=0
  docker buildx create --name "$builder" --driver docker-container \
    --driver-opt "image=$LAB_BUILDKIT_IMAGE" --driver-opt network=host --bootstrap
  docker buildx --builder "$builder" "$@" || rc=$?
  docker buildx rm --force "$builder"
  return $rc
}

# The base of the runner image in the lab (the published one starts from Docker's CLI image and downloads Node.js and
# Trivy, none of which can be had here): the host's docker CLI, buildx, Node.js and the lab's Trivy, the go-built
# buildkitd and buildctl with Debian's runc, rootlesskit and newuidmap/newgidmap (for `driver: buildkitd`), with the
# shared libraries they load, busybox for a shell, and the system's CA bundle.
runner_base_up() {
  local node inputs buildkit
  node=$(readlink -f "$(command -v node)")
  buildkit=("$LAB_BIN/buildkitd" "$LAB_BIN/buildctl" "$(readlink -f "$(command -v runc)")"
    "$(command -v rootlesskit)" "$(command -v newuidmap)" "$(command -v newgidmap)")
  inputs=$(cat "${BASH_SOURCE[0]}" "$(command -v docker)" "$LAB_BIN/buildx" "$node" "$LAB_BIN/trivy" "${buildkit[@]}" |
    sha256sum)
  if stamp_matches runner-base "$inputs" && registry_has lab/runner-base 1; then return 0; fi
  local root
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  copy_with_libs "$root" "$(command -v docker)" "$node" "$LAB_BIN/trivy" "${buildkit[@]}"
  # Rootless BuildKit maps the job's user into a user namespace through these, as Debian installs them: setuid root.
  chmod 4755 "$root/usr/bin/newuidmap" "$root/usr/bin/newgidmap"
  install -D -m 755 "$LAB_BIN/buildx" "$root/usr/libexec/docker/cli-plugins/docker-buildx"
  install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$LAB_RUNNER_BASE_IMAGE"
  rm -rf "$root"
  with_lab_login docker push "$LAB_RUNNER_BASE_IMAGE"
  stamp_write runner-base "$inputs"
}
