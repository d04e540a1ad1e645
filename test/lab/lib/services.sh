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

# The lab CA signs the registries' certificate. Its name constraints limit it to loopback, so trusting it system-wide
# (dockerd, BuildKit, Trivy and the Go tools all read the system store) vouches for nothing else.
ca_up() {
  local ca=$LAB_CA_DIR
  if [[ ! -s $ca/ca.crt || ! -s $ca/ca.key ]]; then
    openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -keyout "$ca/ca.key" -out "$ca/ca.crt" \
      -subj "/CN=docker-build lab CA" \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "nameConstraints=critical,permitted;IP:127.0.0.0/255.0.0.0,permitted;DNS:localhost"
    chmod 600 "$ca/ca.key"
    rm -f "$ca/server.crt"
  fi
  if [[ ! -s $ca/server.crt ]] || ! openssl x509 -checkend 2592000 -noout -in "$ca/server.crt"; then
    openssl req -newkey rsa:2048 -sha256 -nodes -keyout "$ca/server.key" -out "$ca/server.csr" -subj "/CN=127.0.0.1"
    openssl x509 -req -in "$ca/server.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial -days 825 -sha256 \
      -out "$ca/server.crt" \
      -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
    chmod 600 "$ca/server.key"
    rm -f "$ca/server.csr"
  fi
}

trust_up() {
  local port
  for port in "$REGISTRY_PORT" "$REGISTRY2_PORT"; do
    install -D -m 644 "$LAB_CA_CERT" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt"
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

dockerd_up() {
  docker info >/dev/null 2>&1 && return 0
  local pidfile=$LAB_RUN/dockerd.pid
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    setsid dockerd --pidfile "$pidfile" </dev/null >>"$LAB_LOG/dockerd.log" 2>&1 &
  fi
  wait_for 60 docker info || {
    tail -n 20 "$LAB_LOG/dockerd.log"
    return 1
  }
}

# registry_answers PORT: the registry is up, speaks TLS with the lab certificate, and asks for credentials.
registry_answers() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$LAB_CA_CERT" "https://127.0.0.1:$1/v2/") == 401 ]]
}

# registry_up N PORT: the distribution registry from Debian, TLS with the lab certificate, htpasswd auth, deletes on.
registry_up() {
  local n=$1 port=$2
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
  if pid_alive "$pidfile" && registry_answers "$port"; then return 0; fi
  if pid_alive "$pidfile"; then kill "$(cat "$pidfile")"; fi
  setsid docker-registry serve "$dir/config.yml" </dev/null >>"$LAB_LOG/registry$n.log" 2>&1 &
  echo $! >"$pidfile"
  wait_for 30 registry_answers "$port" || {
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
  rm -f "$pidfile"
}
