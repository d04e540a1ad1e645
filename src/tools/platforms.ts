/**
 * Which requested platforms a builder cannot run yet, from `docker buildx inspect --bootstrap`: QEMU is installed only
 * for those (setup-qemu-action installs every emulator every time, even when the runner already has them).
 */

/** The platforms every node of the builder reports, from the `Platforms:` lines of `buildx inspect`. */
export function parseInspectPlatforms(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('Platforms:'))
    .flatMap((line) =>
      line
        .trim()
        .replace(/^Platforms:/, '')
        .split(','),
    )
    .map((platform) => platform.trim().replace(/\*$/, ''))
    .filter((platform) => platform !== '');
}

/** `linux/arm64/v8` is `linux/arm64`; `linux/arm` is `linux/arm/v7` (containerd's normalisation). */
export function normalizePlatform(platform: string): string {
  const [os = '', arch = '', variant] = platform.toLowerCase().split('/');
  if (arch === 'arm64' && (variant === undefined || variant === 'v8')) return `${os}/arm64`;
  if (arch === 'arm' && variant === undefined) return `${os}/arm/v7`;
  if (arch === 'amd64' && variant === 'v1') return `${os}/amd64`;
  return variant === undefined ? `${os}/${arch}` : `${os}/${arch}/${variant}`;
}

export function missingPlatforms(requested: readonly string[], supported: readonly string[]): string[] {
  const have = new Set(supported.map(normalizePlatform));
  return requested.filter((platform) => !have.has(normalizePlatform(platform)));
}

/** `docker run` arguments that install QEMU handlers for the given platforms with the binfmt image. */
export function binfmtInstallArgs(image: string, platforms: readonly string[]): string[] {
  const arches = [...new Set(platforms.map((p) => normalizePlatform(p).split('/')[1] ?? ''))];
  return ['run', '--rm', '--privileged', image, '--install', arches.join(',')];
}
