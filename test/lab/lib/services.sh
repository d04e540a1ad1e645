# Starts the lab's services: QEMU's binfmt handlers, the CA and credentials, dockerd, and two TLS registries with auth.
# shellcheck shell=bash

# QEMU: qemu-user-static registers its handlers with the F flag (the interpreter is opened at registration), so
# containers, BuildKit's included, run foreign binaries without a copy of QEMU inside them.
binfmt_up() {
  local dir=/proc/sys/fs/binfmt_misc
  [[ -e $dir/register ]] || mount -t binfmt_misc binfmt_misc "$dir"
  if [[ ! -e $dir/qemu-aarch64 ]]; then
    local fmt
    for fmt in /usr/share/binfmts/qemu-*; do update-binfmts --enable "$(basename "$fmt")" || true; done
  fi
  grep -qx enabled "$dir/qemu-aarch64" && grep -q '^flags: .*F' "$dir/qemu-aarch64"
}

hosts_up() {
  local names="$REGISTRY_HOST $REGISTRY2_HOST"
  grep -q "^127\.0\.0\.1 $names # docker-build lab$" /etc/hosts && return 0
  sed -i '/# docker-build lab$/d' /etc/hosts
  echo "127.0.0.1 $names # docker-build lab" >>/etc/hosts
}

# The lab CA signs the registries' certificate. Its name constraints limit it to the lab's names and loopback, so
# trusting it system-wide (dockerd, BuildKit, Trivy and the Go tools all read the system store) vouches for nothing else.
CA_PROFILE="v2 names=$REGISTRY_HOST,$REGISTRY2_HOST"
ca_up() {
  local ca=$LAB_CA_DIR
  if [[ ! -s $ca/ca.crt || ! -s $ca/ca.key ]] || ! stamp_matches ca "$CA_PROFILE"; then
    openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -keyout "$ca/ca.key" -out "$ca/ca.crt" \
      -subj "/CN=docker-build lab CA" \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "nameConstraints=critical,permitted;DNS:lab.test,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0"
    chmod 600 "$ca/ca.key"
    rm -f "$ca/server.crt"
    stamp_write ca "$CA_PROFILE"
  fi
  if [[ ! -s $ca/server.crt ]] || ! openssl x509 -checkend 2592000 -noout -in "$ca/server.crt"; then
    openssl req -newkey rsa:2048 -sha256 -nodes -keyout "$ca/server.key" -out "$ca/server.csr" -subj "/CN=$REGISTRY_HOST"
    openssl x509 -req -in "$ca/server.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial -days 825 -sha256 \
      -out "$ca/server.crt" \
      -extfile <(printf 'subjectAltName=DNS:%s,DNS:%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
        "$REGISTRY_HOST" "$REGISTRY2_HOST")
    chmod 600 "$ca/server.key"
    rm -f "$ca/server.csr"
  fi
}

trust_up() {
  local registry
  for registry in "$LAB_REGISTRY" "$LAB_REGISTRY2"; do
    install -D -m 644 "$LAB_CA_CERT" "/etc/docker/certs.d/$registry/ca.crt"
  done
  if ! cmp -s "$LAB_CA_CERT" /usr/local/share/ca-certificates/docker-build-lab.crt; then
    install -D -m 644 "$LAB_CA_CERT" /usr/local/share/ca-certificates/docker-build-lab.crt
    update-ca-certificates
  fi
}

# Generated passwords, never committed; htpasswd reads them on stdin (-i), so they never appear in a command line.
credentials_up() {
  local n user
  for n in "" 2; do
    user=lab$n
    if [[ ! -s $LAB_SECRETS/registry$n.password ]]; then
      (umask 077 && openssl rand -hex 24 >"$LAB_SECRETS/registry$n.password")
      rm -f "$LAB_SECRETS/registry$n.htpasswd"
    fi
    if [[ ! -s $LAB_SECRETS/registry$n.htpasswd ]]; then
      (umask 077 && htpasswd -iBn "$user" <"$LAB_SECRETS/registry$n.password" >"$LAB_SECRETS/registry$n.htpasswd")
    fi
  done
}

# bounding_set_short: this machine's capability bounding set lacks a capability the kernel knows (see runc-capfilter.sh).
bounding_set_short() {
  local last bounding
  last=$(cat /proc/sys/kernel/cap_last_cap)
  bounding=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
  ((bounding != (1 << (last + 1)) - 1))
}

# dockerd from Debian, in the background with a pid file. A Docker engine that the lab did not start is used as it is.
dockerd_up() {
  local pidfile=$LAB_RUN/dockerd.pid
  local args=(--pidfile "$pidfile")
  if bounding_set_short; then
    install -m 755 "$LAB_SRC/runc-capfilter.sh" "$LAB_BIN/runc-capfilter"
    args+=(--add-runtime "lab-runc=$LAB_BIN/runc-capfilter" --default-runtime lab-runc)
  fi
  if docker info >/dev/null 2>&1; then
    # Ours, started with other options by an earlier lab version: restart it; anyone else's: leave it alone.
    if pid_alive "$pidfile" && [[ $(cat "$pidfile.args" 2>/dev/null) != "${args[*]}" ]]; then
      stop_pidfile dockerd
    else
      return 0
    fi
  fi
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    # Without the step's TMPDIR, which is removed when the step ends: dockerd and containerd keep temporary files
    # there (runc's process specs) for as long as they run.
    env -u TMPDIR setsid dockerd "${args[@]}" </dev/null >>"$LAB_LOG/dockerd.log" 2>&1 &
    echo "${args[*]}" >"$pidfile.args"
  fi
  wait_for 60 docker info || {
    tail -n 20 "$LAB_LOG/dockerd.log"
    return 1
  }
}

# registry_answers HOST:PORT: the registry is up, speaks TLS with the lab certificate, and asks for credentials.
registry_answers() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$LAB_CA_CERT" "https://$1/v2/") == 401 ]]
}

# registry_up N HOST:PORT: the distribution registry from Debian, TLS with the lab certificate, htpasswd auth,
# deletes on, listening on loopback only.
registry_up() {
  local n=$1 address=$2
  local port=${address##*:}
  local dir=$LAB_HOME/registry$n
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $(sha256sum <"$LAB_SECRETS/registry$n.password" | cut -c1-32)
  tls:
    certificate: $LAB_CA_DIR/server.crt
    key: $LAB_CA_DIR/server.key
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: docker-build-lab$n
    path: $LAB_SECRETS/registry$n.htpasswd
YAML
  chmod 600 "$dir/config.yml"
  local pidfile=$LAB_RUN/registry$n.pid
  # A running registry is kept unless its configuration or certificate changed since it started.
  local config_id
  config_id=$(cat "$dir/config.yml" "$LAB_CA_DIR/server.crt" | sha256sum)
  if pid_alive "$pidfile" && registry_answers "$address" && [[ $(cat "$pidfile.config") == "$config_id" ]]; then
    return 0
  fi
  if pid_alive "$pidfile"; then kill "$(cat "$pidfile")"; fi
  env -u TMPDIR setsid docker-registry serve "$dir/config.yml" </dev/null >>"$LAB_LOG/registry$n.log" 2>&1 &
  echo $! >"$pidfile"
  echo "$config_id" >"$pidfile.config"
  wait_for 30 registry_answers "$address" || {
    tail -n 20 "$LAB_LOG/registry$n.log"
    return 1
  }
}

# Stops what lab:up started, by its pid file, and nothing else: a Docker engine that was already running stays.
stop_pidfile() {
  local name=$1 pidfile=$LAB_RUN/$1.pid
  if pid_alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    wait_for 30 bash -c "! kill -0 $pid" || kill -9 "$pid"
    say "$name stopped (pid $pid)"
  fi
  rm -f "$pidfile" "$pidfile.config" "$pidfile.args"
}
