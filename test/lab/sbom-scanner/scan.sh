#!/bin/sh
# The lab's SBOM generator: BuildKit's SBOM scanning protocol (buildkit docs/attestations/sbom-protocol.md) spoken by
# syft, standing in for docker/buildkit-syft-scanner, which cannot be had here. BuildKit mounts the root file system
# to scan at $BUILDKIT_SCAN_SOURCE, other stages (with `BUILDKIT_SBOM_SCAN_STAGE`) under $BUILDKIT_SCAN_SOURCE_EXTRAS,
# and reads back every file in $BUILDKIT_SCAN_DESTINATION as one in-toto statement whose predicate is an SPDX
# document; it fills in the subject (the image) itself.
set -eu
: "${BUILDKIT_SCAN_SOURCE:?BuildKit sets it}" "${BUILDKIT_SCAN_DESTINATION:?BuildKit sets it}"

# scan ROOTFS: writes DESTINATION/<name of ROOTFS>.spdx.json.
scan() {
  name=$(basename "$1")
  syft scan "dir:$1" --quiet --source-name "$name" --output "spdx-json=/tmp/$name.spdx"
  {
    printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":'
    cat "/tmp/$name.spdx"
    printf '}\n'
  } >"$BUILDKIT_SCAN_DESTINATION/$name.spdx.json"
  rm -f "/tmp/$name.spdx"
}

scan "$BUILDKIT_SCAN_SOURCE"
if [ -n "${BUILDKIT_SCAN_SOURCE_EXTRAS:-}" ] && [ -d "$BUILDKIT_SCAN_SOURCE_EXTRAS" ]; then
  for extra in "$BUILDKIT_SCAN_SOURCE_EXTRAS"/*; do
    if [ -d "$extra" ]; then scan "$extra"; fi
  done
fi
