/**
 * The images a Dockerfile pulls, read statically for one purpose: knowing which registries a build reads from, so that
 * a prior login or credential helper for them reaches the run's private Docker config (a Docker Hub login against its
 * pull limits, a private base image). Best effort and never an error: an image named by a variable that cannot be
 * resolved here (an ARG without a default and no build-arg) is left out, and the build then pulls it anonymously.
 *
 * Read: the `# syntax=` frontend image, `FROM [--platform=...] image [AS name]` (a stage's own name and `scratch` are not images), `COPY --from=image`
 * and `RUN --mount=...,from=image`; `ARG` defaults before the first FROM and the build-args override them, as
 * BuildKit resolves FROM; `$VAR`, `${VAR}`, `${VAR:-default}`; line continuations, comments, parser directives.
 */
import type { KeyValue } from '../inputs/values.js';

export function pulledImages(dockerfile: string, buildArgs: readonly KeyValue[]): string[] {
  const args = new Map<string, string>();
  const given = new Map(buildArgs.map((arg) => [arg.key, arg.value]));
  const stages = new Set<string>();
  const images: string[] = [];
  let seenFrom = false;
  const add = (text: string | undefined) => {
    if (text === undefined) return;
    const image = expand(text, args);
    if (image === undefined || image === '' || image === 'scratch' || stages.has(image.toLowerCase())) return;
    if (/^\d+$/.test(image)) return; // COPY --from=0: a stage by its index
    if (!images.includes(image)) images.push(image);
  };

  // `# syntax=docker/dockerfile:1`, a parser directive (only before the first instruction): BuildKit pulls it first.
  for (const line of dockerfile.split(/\r?\n/)) {
    if (line.trim() !== '' && !line.trim().startsWith('#')) break;
    add(/^\s*#\s*syntax\s*=\s*(\S+)/i.exec(line)?.[1]);
  }

  for (const line of instructions(dockerfile)) {
    const [keyword = '', ...words] = line.split(/\s+/);
    switch (keyword.toUpperCase()) {
      case 'ARG':
        // Only the global ARGs (before the first FROM) take part in FROM lines.
        if (!seenFrom) {
          for (const word of words) {
            const at = word.indexOf('=');
            const name = at < 0 ? word : word.slice(0, at);
            const value = given.get(name) ?? (at < 0 ? undefined : unquote(word.slice(at + 1)));
            if (value !== undefined) args.set(name, value);
          }
        }
        break;
      case 'FROM': {
        seenFrom = true;
        const rest = words.filter((word) => !word.startsWith('--'));
        add(rest[0]);
        if (rest[1]?.toUpperCase() === 'AS' && rest[2] !== undefined) stages.add(rest[2].toLowerCase());
        break;
      }
      case 'COPY':
      case 'ADD':
        for (const word of words) if (word.startsWith('--from=')) add(word.slice('--from='.length));
        break;
      case 'RUN':
        for (const word of words) {
          if (!word.startsWith('--mount=')) continue;
          const from = word
            .slice('--mount='.length)
            .split(',')
            .find((option) => option.startsWith('from='));
          if (from !== undefined) add(from.slice('from='.length));
        }
        break;
    }
  }
  return images;
}

/** The instructions, one per entry: comments and directives dropped, continuation lines joined. */
function instructions(dockerfile: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of dockerfile.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') out.push(current.trim());
    current = '';
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** `$VAR`, `${VAR}` and `${VAR:-default}` replaced; undefined when a variable has no value. */
function expand(text: string, args: ReadonlyMap<string, string>): string | undefined {
  const unresolved: string[] = [];
  const value = unquote(text).replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const got = args.get(name);
      if (got !== undefined && got !== '') return got;
      if (fallback !== undefined) return fallback;
      unresolved.push(name);
      return '';
    },
  );
  return unresolved.length > 0 ? undefined : value;
}

function unquote(text: string): string {
  for (const quote of ['"', "'"]) {
    if (text.length >= 2 && text.startsWith(quote) && text.endsWith(quote)) return text.slice(1, -1);
  }
  return text;
}

/** What the stage an image is built from says about its health check. */
export type HealthcheckDeclared =
  | { kind: 'declared' }
  /** `HEALTHCHECK NONE`, or a stage built `FROM scratch` without one */
  | { kind: 'none' }
  /** no HEALTHCHECK in the Dockerfile's stages: the base image's, if it has one, is not known before the build */
  | { kind: 'base'; image: string };

/**
 * Whether the stage built (`target`, else the last) declares a HEALTHCHECK, in itself or in the stages of this
 * Dockerfile it is built `FROM`: the last HEALTHCHECK wins, as in the image config. Undefined when there is no such
 * stage (buildx will say why).
 */
export function declaredHealthcheck(dockerfile: string, target: string | undefined): HealthcheckDeclared | undefined {
  const stages: { name: string | undefined; base: string; healthcheck: 'declared' | 'none' | undefined }[] = [];
  for (const line of instructions(dockerfile)) {
    const [keyword = '', ...words] = line.split(/\s+/);
    const current = stages.at(-1);
    if (keyword.toUpperCase() === 'FROM') {
      const rest = words.filter((word) => !word.startsWith('--'));
      const name = rest[1]?.toUpperCase() === 'AS' ? rest[2]?.toLowerCase() : undefined;
      stages.push({ name, base: rest[0] ?? '', healthcheck: undefined });
    } else if (keyword.toUpperCase() === 'HEALTHCHECK' && current !== undefined) {
      current.healthcheck =
        words.find((word) => !word.startsWith('--'))?.toUpperCase() === 'NONE' ? 'none' : 'declared';
    }
  }
  const find = (name: string) => stages.find((stage) => stage.name === name.toLowerCase());
  let stage = target === undefined ? stages.at(-1) : find(target);
  for (let depth = 0; stage !== undefined && depth <= stages.length; depth++) {
    if (stage.healthcheck !== undefined) return { kind: stage.healthcheck };
    const { base } = stage;
    const parent = find(base) ?? (/^\d+$/.test(base) ? stages[Number(base)] : undefined);
    if (parent === undefined)
      return base.toLowerCase() === 'scratch' ? { kind: 'none' } : { kind: 'base', image: base };
    stage = parent;
  }
  return undefined;
}
