# The lab's SBOM generator image for BuildKit (`--sbom=generator=IMAGE`, `--attest type=sbom,generator=IMAGE`).
# BuildKit's default generator, docker/buildkit-syft-scanner, can be neither pulled nor built here (the Go module
# proxy does not serve github.com/docker/buildkit-syft-scanner), so the image is syft from the proxy behind a small
# script that speaks BuildKit's generator protocol (../sbom-scanner/scan.sh). A file of its own: the image stamps in
# images.sh hash images.sh, and this image should not rebuild those.
# shellcheck shell=bash disable=SC2034 # LAB_SBOM_SCANNER_IMAGE is used by lab.sh

LAB_SBOM_SCANNER_IMAGE=$LAB_REGISTRY/lab/buildkit-syft-scanner:syft-$SYFT_VERSION

# BuildKit runs the generator on its own (build) platform, whatever the platforms built: one linux/amd64 image does.
sbom_scanner_image_up() {
  local inputs
  inputs=$(cat "${BASH_SOURCE[0]}" "$LAB_SRC/sbom-scanner/scan.sh" "$LAB_BIN/syft" /bin/busybox | sha256sum)
  if stamp_matches sbom-scanner-image "$inputs" && registry_has lab/buildkit-syft-scanner "syft-$SYFT_VERSION"; then
    return 0
  fi
  local root
  root=$(mktemp -d)
  busybox_rootfs "$root" /bin/busybox
  install -D -m 755 "$LAB_BIN/syft" "$root/usr/bin/syft"
  install -D -m 755 "$LAB_SRC/sbom-scanner/scan.sh" "$root/usr/bin/scan.sh"
  tar -C "$root" -c . | docker import \
    --change 'ENTRYPOINT ["/usr/bin/scan.sh"]' \
    --change 'ENV PATH=/usr/bin:/bin HOME=/tmp SYFT_CHECK_FOR_APP_UPDATE=false' \
    --change "LABEL org.opencontainers.image.version=$SYFT_VERSION" \
    - "$LAB_SBOM_SCANNER_IMAGE"
  rm -rf "$root"
  with_lab_login docker push "$LAB_SBOM_SCANNER_IMAGE"
  stamp_write sbom-scanner-image "$inputs"
}
