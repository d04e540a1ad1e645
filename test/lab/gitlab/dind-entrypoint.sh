#!/bin/sh
# The lab's Docker-in-Docker entrypoint, made to behave like the official docker:dind image's for TLS:
#   DOCKER_TLS_CERTDIR set (GitLab's documented /certs): a CA, a server certificate (names: docker, localhost, the
#   container's host name and addresses) and a client certificate are made under it, in ca/, server/ and client/,
#   and dockerd listens on tcp://0.0.0.0:2376 with --tlsverify; unset: plain tcp://0.0.0.0:2375.
# Extra arguments (the component's --registry-mirror=...) go to dockerd; a first argument that is not an option is run
# as a command instead.
set -eu

if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && [ "$1" != dockerd ]; then exec "$@"; fi
[ "${1:-}" = dockerd ] && shift

# gitlab-ci-local (like GitLab's runner) gives a service every variable of its job: DOCKER_HOST, DOCKER_TLS_VERIFY and
# DOCKER_CERT_PATH meant for the job's docker CLI would change dockerd's own TLS defaults.
unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH

# make_cert DIR CN EXTENSIONS: a key and a certificate signed by the CA in $certs/ca, with the CA's certificate beside.
make_cert() {
  dir=$1
  mkdir -p "$dir"
  openssl genrsa -out "$dir/key.pem" 2048 2>/dev/null
  openssl req -new -key "$dir/key.pem" -subj "/CN=$2" -out "$dir/csr.pem"
  printf '%b' "$3" >"$dir/openssl.cnf"
  openssl x509 -req -in "$dir/csr.pem" -CA "$certs/ca/cert.pem" -CAkey "$certs/ca/key.pem" -CAcreateserial \
    -days 825 -sha256 -extfile "$dir/openssl.cnf" -out "$dir/cert.pem" 2>/dev/null
  cp "$certs/ca/cert.pem" "$dir/ca.pem"
  rm -f "$dir/csr.pem" "$dir/openssl.cnf"
}

if [ -n "${DOCKER_TLS_CERTDIR:-}" ]; then
  certs=$DOCKER_TLS_CERTDIR
  mkdir -p "$certs/ca"
  if [ ! -s "$certs/ca/key.pem" ]; then
    openssl genrsa -out "$certs/ca/key.pem" 4096 2>/dev/null
    openssl req -new -x509 -days 825 -sha256 -key "$certs/ca/key.pem" -subj "/CN=docker:dind CA" -out "$certs/ca/cert.pem"
  fi
  # A client directory shared with the job may hold a previous run's files: made again unless this CA signed them.
  names="DNS:docker,DNS:localhost,DNS:$(hostname),IP:127.0.0.1"
  for ip in $(ip -4 -o addr show scope global | awk '{split($4, a, "/"); print a[1]}'); do names="$names,IP:$ip"; done
  make_cert "$certs/server" "$(hostname)" "subjectAltName=$names\nextendedKeyUsage=serverAuth\n"
  chmod 0600 "$certs/server/key.pem"
  if ! openssl verify -CAfile "$certs/ca/cert.pem" "$certs/client/cert.pem" >/dev/null 2>&1; then
    make_cert "$certs/client" docker:dind-client "extendedKeyUsage=clientAuth\n"
  fi
  # The job may run as another user: as in docker:dind, the client's key is readable by all.
  chmod 0644 "$certs/client/key.pem"
  set -- --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2376 --tlsverify \
    --tlscacert "$certs/server/ca.pem" --tlscert "$certs/server/cert.pem" --tlskey "$certs/server/key.pem" "$@"
else
  set -- --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
fi

# /var/lib/docker is the image's volume: overlay2 cannot sit on the container's own overlay file system.
exec dockerd "$@"
