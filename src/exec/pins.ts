/**
 * Pinned downloads: the SHA-256 of every release file docker-build may download, committed with the code that
 * downloads it. A download is checked against this table and nothing else: a checksum file fetched from the same
 * release catches a corrupt download but not a replaced release, and in March 2026 Trivy's release and trivy-action's
 * tags were replaced by malicious ones (aquasecurity/trivy-action#541). A file the table does not list is not
 * downloaded at all (fail closed), never checked against the release's own file instead.
 *
 * Bumping a tool's version means adding its digests here, from two sources that agree (the release's checksum file
 * and an independent one), in the same commit as the new default: SECURITY.md "Pinned downloads".
 */

/** tool → version (without `v`) → release file name → its SHA-256 (lowercase hex) */
export type ReleasePins = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;

export const RELEASE_PINS: ReleasePins = {
  // Trivy v0.74.0's archives (the four trivyAsset() names). Each digest is the same in at least five unrelated public
  // repositories that pin it (Go, Python, Bazel, shell and TypeScript installers); none disagreed, and
  // some say they compared it with trivy_0.74.0_checksums.txt or hashed the download themselves.
  trivy: {
    '0.74.0': {
      'trivy_0.74.0_Linux-64bit.tar.gz': '2ae6fe3ee734b7fdf11335663e18c75ea12dccc76062f09f164a3b0f8be4371a',
      'trivy_0.74.0_Linux-ARM64.tar.gz': 'b94ce1976bbf3c15b514b605ee88be7c6d94a29be2302847ff01cb794d47aad5',
      'trivy_0.74.0_macOS-64bit.tar.gz': '472816f6888dda689d075c30254d4210b4d1035acf365aa72332f584c2f60485',
      'trivy_0.74.0_macOS-ARM64.tar.gz': '1caada5e0e2091909357c7525d3aa76f4b660b13821bc143b190c7483e31cc11',
    },
  },
  // cosign v3.1.3's release binaries (bare executables, hashed as downloaded), for the runner image and the signing
  // step. Each digest is the same in about ten unrelated public repositories that pin it (shell, Python, Go and C#
  // installers, some saying they hashed the download themselves); none disagreed.
  cosign: {
    '3.1.3': {
      'cosign-linux-amd64': '4629c757b7618056f8ddd7e2625ae9fdd94c0372a65049520bc7d9df9efc7f71',
      'cosign-linux-arm64': 'c5d324e091826b0d7a78eb16fef316450b4eb9aaec045611c08ba06f5e73220a',
      'cosign-darwin-amd64': '2347488e5d5b25336644024dfeca5601b190e91197a71a917bda44744aff106c',
      'cosign-darwin-arm64': '5cf948c2f4dfe59687bdd0b8523709067383e03982cc543475c8a7dc70e92a76',
    },
  },
};

export type PinLookup =
  | { kind: 'pinned'; sha256: string }
  /** no digest for this version of the tool: `pinned` lists the versions that have some */
  | { kind: 'unpinned-version'; pinned: string[] }
  /** the version is pinned, but not this file of it (a platform nobody could vouch for) */
  | { kind: 'unpinned-file'; pinned: string[] };

/** The SHA-256 pinned for `file` of `tool` at `version` (`v0.74.0` and `0.74.0` alike). */
export function pinFor(pins: ReleasePins, tool: string, version: string, file: string): PinLookup {
  const versions = pins[tool] ?? {};
  const files = versions[version.replace(/^v/, '')];
  if (files === undefined) return { kind: 'unpinned-version', pinned: Object.keys(versions).map((v) => `v${v}`) };
  const sha256 = files[file];
  return sha256 === undefined ? { kind: 'unpinned-file', pinned: Object.keys(files) } : { kind: 'pinned', sha256 };
}

/** What a download that is not the pinned file says, with both digests in full: a user compares them by eye. */
export function mismatchMessage(file: string, source: string, expected: string, actual: string): string {
  return (
    `${file} from ${source} is not the pinned release: expected sha256 ${expected}, got sha256 ${actual}. ` +
    'The release was replaced or the download corrupted; nothing was installed'
  );
}
