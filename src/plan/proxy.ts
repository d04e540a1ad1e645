/**
 * The proxy part of the plan: what `plan` shows of the job's proxy variables (credentials left out), and what a
 * builder docker-build creates gets of them. buildx and Trivy run with the job's environment and read the variables
 * themselves; BuildKit runs in the builder's container, which gets them as driver options `env.HTTPS_PROXY=...`
 * (buildx's documented way), unless the user's `driver-opts` set them already.
 *
 * Driver options are buildx arguments, and so visible to every process on the machine: a proxy URL with credentials
 * is never passed that way. buildx offers nothing else for the daemon's own traffic: the Docker config's `proxies`
 * section reaches builds only as build arguments (buildx build/opt.go, for RUN steps), not BuildKit's pulls and
 * pushes. So BuildKit then gets no proxy, and a warning says how to give it one.
 */
import { driverOptCredentials, type ProxyEnv } from '../inputs/proxy.js';
import type { KeyValue } from '../inputs/values.js';
import { displayProxy, parseProxyUrl } from '../exec/proxy.js';

export interface ProxyPlan {
  /** the proxy of https:// and http:// targets (credentials shown as ***), null for direct */
  https: string | null;
  http: string | null;
  /** NO_PROXY's entries; loopback targets are never proxied anyway */
  noProxy: string[];
  /** the variables a builder docker-build creates gets as driver options, and why (or why none) */
  buildkit: { variables: string[]; reason: string };
  /** for the log, before anything runs */
  warnings: string[];
}

/** `kind` of the builder: only a builder docker-build creates takes driver options. */
export function planProxy(
  proxy: ProxyEnv,
  builder:
    | { kind: 'create'; driverOpts: readonly KeyValue[] }
    | { kind: 'existing' }
    /** a BuildKit docker-build does not start (`remote`), or starts in the job's own environment (`buildkitd`) */
    | { kind: 'remote' }
    | { kind: 'buildkitd' },
): { plan: ProxyPlan; driverOpts: KeyValue[] } {
  const shown = (url: URL | undefined) => (url === undefined ? null : displayProxy(url));
  const base = { https: shown(proxy.https), http: shown(proxy.http), noProxy: proxy.noProxy };
  const warnings = [...proxy.warnings];
  const decided = (variables: KeyValue[], reason: string) => ({
    plan: { ...base, buildkit: { variables: variables.map((v) => v.key), reason }, warnings },
    driverOpts: variables.map((v) => ({ key: `env.${v.key}`, value: v.value })),
  });

  // The user's own choice, but worth a word: their driver options are a command line too.
  for (const opt of builder.kind === 'create' ? builder.driverOpts : []) {
    if (driverOptCredentials(opt).length > 0) {
      warnings.push(
        `driver-opts ${opt.key} carries credentials: buildx takes driver options on its command line, where every ` +
          'process on this machine can read them',
      );
    }
  }
  if (proxy.variables.length === 0) return decided([], 'no proxy variable is set');
  if (builder.kind === 'existing') {
    return decided([], 'the builder named by `builder` keeps the environment it was created with');
  }
  if (builder.kind === 'remote') return decided([], 'a remote BuildKit keeps the environment it was started with');
  if (builder.kind === 'buildkitd') return decided([], 'buildkitd runs in the job, with its environment');
  // Linux variables are case-sensitive, Go reads both cases: any case set by the user counts as theirs.
  const userSet = new Set(
    builder.driverOpts.flatMap((opt) => (opt.key.startsWith('env.') ? [opt.key.slice(4).toUpperCase()] : [])),
  );
  const ours = proxy.variables.filter((v) => !userSet.has(v.name.toUpperCase()));
  if (ours.length === 0) return decided([], 'driver-opts set the proxy variables');
  const withCredentials = ours.filter((v) => (proxy.withCredentials as readonly string[]).includes(v.name));
  if (withCredentials.length > 0) {
    const why =
      `${withCredentials.map((v) => v.name).join(', ')} carries credentials, and driver options are command-line ` +
      'arguments; BuildKit connects directly. To give it a proxy, use one without credentials in driver-opts ' +
      '(env.HTTPS_PROXY=...), or a builder of your own set up for it (builder)';
    warnings.push(`BuildKit gets no proxy: ${why}`);
    return decided([], `none: ${why}`);
  }
  const hostNetwork = builder.driverOpts.some((opt) => opt.key === 'network' && opt.value === 'host');
  const loopback = ours.filter((v) => !v.name.toUpperCase().startsWith('NO_') && isLoopback(v.value));
  if (loopback.length > 0 && !hostNetwork) {
    warnings.push(
      `${loopback.map((v) => v.name).join(', ')} points at this machine's loopback address, which the builder's ` +
        'container reaches only on the host network: add network=host to driver-opts',
    );
  }
  const kept = proxy.variables.length - ours.length;
  return decided(
    ours.map((v) => ({ key: v.name, value: v.value })),
    `passed as driver options${kept > 0 ? ` (driver-opts set ${kept} of them)` : ''}`,
  );
}

/** The proxy is on this machine: `localhost`, `127.*` or `[::1]` (the names http-client counts as loopback). */
function isLoopback(value: string): boolean {
  const host = parseProxyUrl(value)?.hostname.toLowerCase() ?? '';
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}

/** One line for the log when there is a proxy: where requests go, and what BuildKit gets. */
export function proxySummary(plan: ProxyPlan): string | undefined {
  if (plan.https === null && plan.http === null) return undefined;
  const via = (url: string | null) => url ?? 'direct';
  return (
    `proxy: https:// ${via(plan.https)}, http:// ${via(plan.http)}` +
    `${plan.noProxy.length > 0 ? `, except NO_PROXY ${plan.noProxy.join(',')}` : ''} and loopback addresses; ` +
    `BuildKit: ${plan.buildkit.variables.length > 0 ? plan.buildkit.variables.join(', ') : 'none'} (${plan.buildkit.reason})`
  );
}
