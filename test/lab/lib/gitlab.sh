# Stand-ins for what gitlab-ci-local's docker executor would pull from Docker Hub, and the way its containers reach the
# lab registries: a helper image, a wait image, Docker-in-Docker and rootless BuildKit made from this machine's own
# binaries, and a forwarder from an address containers can reach to the registries on 127.0.0.1.
# shellcheck shell=bash

LAB_GCL_HELPER_IMAGE=$LAB_REGISTRY/lab/gcl-helper:1
LAB_GCL_WAIT_IMAGE=$LAB_REGISTRY/lab/gcl-wait:1
LAB_BUILDKIT_ROOTLESS_IMAGE=$LAB_REGISTRY/lab/buildkit:$BUILDKIT_VERSION-rootless
# dind_image: named by the lab engine's major.minor, as docker:dind is named by Docker's (empty before lab:up has
# installed the engine; dind_image_up asks again).
dind_image() {
  local version
  version=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\.[0-9]*\).*/\1/p')
  [[ -n $version ]] && printf '%s/lab/dind:%s\n' "$LAB_REGISTRY" "$version"
}
LAB_DIND_IMAGE=$(dind_image || true)
# The address containers reach the registries at (`--add-host registry.lab.test:$LAB_FORWARD_ADDRESS`): one of the
# benchmarking range (RFC 2544) on the host's loopback device, so that no Docker network, the per-job networks of
# gitlab-ci-local or the default bridge inside Docker-in-Docker (172.17.0.0/16 again), can hold it too.
LAB_FORWARD_ADDRESS=198.18.0.1

# import_image ROOTFS IMAGE CHANGE...: a root file system as a one-layer image, pushed to the lab registry.
import_image() {
  local root=$1 image=$2 change=()
  shift 2
  while (($#)); do
    change+=(--change "$1")
    shift
  done
  tar -C "$root" --numeric-owner -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "${change[@]}" - "$image"
  with_lab_login docker push "$image"
}

# gitlab-ci-local's helper image: it runs `sh -c "chown ... && chmod ..."` and `bash -c "... rsync -Ra ..."` in it.
gcl_helper_image_up() {
  local inputs
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_SRC/lib/images.sh" /bin/busybox "$(command -v bash)" "$(command -v rsync)" | sha256sum)
  if stamp_matches gcl-helper "$inputs" && registry_has lab/gcl-helper 1; then return 0; fi
  local root
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  copy_with_libs "$root" "$(command -v bash)" "$(command -v rsync)"
  import_image "$root" "$LAB_GCL_HELPER_IMAGE"
  rm -rf "$root"
  stamp_write gcl-helper "$inputs"
}

# gitlab-ci-local's wait image: `WAITIMAGE HOST:PORT -t SECONDS`, exit 0 once the port answers.
gcl_wait_image_up() {
  local inputs
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_SRC/lib/images.sh" /bin/busybox "$LAB_SRC/gitlab/wait-for.sh" | sha256sum)
  if stamp_matches gcl-wait "$inputs" && registry_has lab/gcl-wait 1; then return 0; fi
  local root
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  install -D -m 755 "$LAB_SRC/gitlab/wait-for.sh" "$root/usr/local/bin/wait-for"
  import_image "$root" "$LAB_GCL_WAIT_IMAGE" 'ENTRYPOINT ["/usr/local/bin/wait-for"]'
  rm -rf "$root"
  stamp_write gcl-wait "$inputs"
}

# Docker-in-Docker from the lab's own engine: Debian's dockerd, containerd, shim, runc and tini, the host's docker CLI,
# iptables (nf_tables) with its extensions, the lab's runc wrapper as the default runtime (nested privileged
# containers meet the same short bounding set), openssl for the TLS certificates, and trust in the lab CA.
dind_image_up() {
  local bins inputs
  LAB_DIND_IMAGE=$(dind_image) || die "no dockerd to make Docker-in-Docker from"
  bins=("$(command -v dockerd)" "$(command -v containerd)" "$(command -v containerd-shim-runc-v2)"
    "$(readlink -f "$(command -v runc)")" "$(readlink -f "$(command -v docker-init)")" "$(command -v docker-proxy)"
    "$(command -v docker)" "$(command -v xtables-nft-multi)" "$(command -v openssl)" "$(command -v bash)"
    "$(command -v jq)" "$(command -v capsh)")
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_SRC/lib/images.sh" "$LAB_SRC/gitlab/dind-entrypoint.sh" \
    "$LAB_SRC/runc-capfilter.sh" "${bins[@]}" /etc/ssl/certs/ca-certificates.crt "$LAB_CA_CERT" | sha256sum)
  if stamp_matches dind "$inputs" && registry_has lab/dind "${LAB_DIND_IMAGE##*:}"; then return 0; fi
  local root tool
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  copy_with_libs "$root" "${bins[@]}"
  mv "$root/usr/bin/tini-static" "$root/usr/bin/docker-init"
  mkdir -p "$root/usr/lib/ssl"
  for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf xtables-nft-multi "$root/usr/bin/$tool"
  done
  mkdir -p "$root/usr/lib/x86_64-linux-gnu"
  cp -a /usr/lib/x86_64-linux-gnu/xtables "$root/usr/lib/x86_64-linux-gnu/"
  install -D -m 755 "$LAB_SRC/runc-capfilter.sh" "$root/usr/bin/runc-capfilter"
  install -D -m 755 "$LAB_SRC/gitlab/dind-entrypoint.sh" "$root/usr/local/bin/dockerd-entrypoint.sh"
  install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  install -D -m 644 /etc/ssl/openssl.cnf "$root/etc/ssl/openssl.cnf"
  ln -s /etc/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"
  install -D -m 644 "$LAB_CA_CERT" "$root/etc/docker/certs.d/$LAB_REGISTRY/ca.crt"
  install -D -m 644 "$LAB_CA_CERT" "$root/etc/docker/certs.d/$LAB_REGISTRY2/ca.crt"
  printf '%s\n' '{"runtimes": {"lab-runc": {"path": "/usr/bin/runc-capfilter"}}, "default-runtime": "lab-runc"}' \
    >"$root/etc/docker/daemon.json"
  mkdir -p "$root/var/lib/docker" "$root/run" "$root/certs"
  ln -s ../run "$root/var/run"
  import_image "$root" "$LAB_DIND_IMAGE" \
    'ENV DOCKER_TLS_CERTDIR=/certs' 'VOLUME /var/lib/docker' 'EXPOSE 2375 2376' \
    'ENTRYPOINT ["dockerd-entrypoint.sh"]' 'CMD []'
  rm -rf "$root"
  stamp_write dind "$inputs"
}

# Rootless BuildKit laid out like moby/buildkit's rootless image: user `user` (1000) with subordinate ids, rootlesskit
# and setuid newuidmap/newgidmap, XDG_RUNTIME_DIR and BUILDKIT_HOST under /run/user/1000, ENTRYPOINT rootlesskit
# buildkitd. The lab BuildKit's binaries and CA bundle (which trusts the lab CA), and busybox for a shell.
buildkit_rootless_image_up() {
  local bins inputs
  bins=("$LAB_BIN/buildkitd" "$LAB_BIN/buildctl" "$(readlink -f "$(command -v runc)")" "$(command -v rootlesskit)"
    "$(command -v newuidmap)" "$(command -v newgidmap)")
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_SRC/lib/images.sh" "${bins[@]}" /etc/ssl/certs/ca-certificates.crt | sha256sum)
  if stamp_matches buildkit-rootless "$inputs" && registry_has lab/buildkit "$BUILDKIT_VERSION-rootless"; then return 0; fi
  local root
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  copy_with_libs "$root" "${bins[@]}"
  chmod 4755 "$root/usr/bin/newuidmap" "$root/usr/bin/newgidmap"
  install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  echo 'user:x:1000:1000:user:/home/user:/bin/sh' >>"$root/etc/passwd"
  echo 'user:x:1000:' >>"$root/etc/group"
  echo 'user:100000:65536' >"$root/etc/subuid"
  echo 'user:100000:65536' >"$root/etc/subgid"
  mkdir -p "$root/run/user/1000" "$root/home/user/.local/tmp" "$root/home/user/.local/share/buildkit"
  chown -R 1000:1000 "$root/run/user/1000" "$root/home/user"
  chmod 700 "$root/run/user/1000"
  import_image "$root" "$LAB_BUILDKIT_ROOTLESS_IMAGE" \
    'USER 1000:1000' 'ENV HOME=/home/user' 'ENV USER=user' 'ENV XDG_RUNTIME_DIR=/run/user/1000' \
    'ENV TMPDIR=/home/user/.local/tmp' 'ENV BUILDKIT_HOST=unix:///run/user/1000/buildkit/buildkitd.sock' \
    'VOLUME /home/user/.local/share/buildkit' 'EXPOSE 1234' 'ENTRYPOINT ["rootlesskit", "buildkitd"]' \
    "LABEL org.opencontainers.image.version=$BUILDKIT_VERSION"
  rm -rf "$root"
  stamp_write buildkit-rootless "$inputs"
}

# The forwarder: LAB_FORWARD_ADDRESS on the loopback device, and forward.mjs (copied out of the checkout, so that
# it outlives a worktree) passing the registry ports to 127.0.0.1. Restarted when the script changes.
forwarder_up() {
  local pidfile=$LAB_RUN/forwarder.pid script=$LAB_BIN/lab-forward.mjs id
  ip -4 addr show dev lo | grep -q " $LAB_FORWARD_ADDRESS/32 " || ip addr add "$LAB_FORWARD_ADDRESS/32" dev lo
  id=$(sha256sum <"$LAB_SRC/forward.mjs")
  if pid_alive "$pidfile" && [[ $(cat "$pidfile.config" 2>/dev/null) == "$id" ]] && forwarder_answers; then return 0; fi
  if pid_alive "$pidfile"; then kill "$(cat "$pidfile")"; fi
  install -m 644 "$LAB_SRC/forward.mjs" "$script"
  env -u TMPDIR setsid node "$script" "$LAB_FORWARD_ADDRESS" "$REGISTRY_PORT" "$REGISTRY2_PORT" \
    </dev/null >>"$LAB_LOG/forwarder.log" 2>&1 &
  echo $! >"$pidfile"
  echo "$id" >"$pidfile.config"
  wait_for 10 forwarder_answers || {
    tail -n 20 "$LAB_LOG/forwarder.log"
    return 1
  }
}

# forwarder_answers: both registries answer through the forwarder, under their own names (TLS, certificate checked).
forwarder_answers() {
  local address
  for address in "$LAB_REGISTRY" "$LAB_REGISTRY2"; do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$LAB_CA_CERT" \
      --resolve "$address:$LAB_FORWARD_ADDRESS" "https://$address/v2/") == 401 ]] || return 1
  done
}

forwarder_down() {
  stop_pidfile forwarder
  if ip -4 addr show dev lo | grep -q " $LAB_FORWARD_ADDRESS/32 "; then ip addr del "$LAB_FORWARD_ADDRESS/32" dev lo; fi
}
