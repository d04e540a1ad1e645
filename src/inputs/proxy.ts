/**
 * The job's proxy variables, read and checked with the inputs: HTTPS_PROXY, HTTP_PROXY and NO_PROXY, upper and lower
 * case. A proxy variable that is not a proxy URL stops the run before anything happens (exit 2), naming the variable.
 * A proxy URL may carry `user:password@`: the password is a secret, masked in every log line and never repeated in an
 * error. The variables themselves are not copied anywhere: docker-build's own HTTP reads them per request
 * (src/exec/proxy.ts), buildx and Trivy inherit them, and BuildKit gets them as driver options (src/plan/proxy.ts).
 */
import { InputError } from '../errors.js';
import { displayProxy, parseProxyUrl, redactProxyValue } from '../exec/proxy.js';
import type { Env } from './read.js';
import type { KeyValue } from './values.js';

/** In the order @actions/http-client reads them: lower case first. */
export const PROXY_VARIABLES = [
  'https_proxy',
  'HTTPS_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;

export type ProxyVariable = (typeof PROXY_VARIABLES)[number];

export interface ProxyEnv {
  /** every proxy variable set to something, as given: BuildKit gets them as they are, as buildx and Trivy do */
  variables: { name: ProxyVariable; value: string }[];
  /** the proxy for https:// and http:// targets, and NO_PROXY, as docker-build's own HTTP reads them */
  https: URL | undefined;
  http: URL | undefined;
  noProxy: string[];
  /** the variables whose URL carries credentials (`user:password@`, or a token as `token@`) */
  withCredentials: ProxyVariable[];
  /** what to mask in logs: each password as written and decoded, and `user:password` */
  secrets: string[];
  warnings: string[];
}

export const NO_PROXY_ENV: ProxyEnv = {
  variables: [],
  https: undefined,
  http: undefined,
  noProxy: [],
  withCredentials: [],
  secrets: [],
  warnings: [],
};

const EXPECTED =
  'expected a proxy URL, http://host:port or https://host:port (with user:password@ if the proxy asks for it), or host:port';

/**
 * Reads and checks the proxy variables of `env`; throws an InputError naming the first bad one. `driverOpts`: the
 * `driver-opts` input, whose `env.*_PROXY` values may carry credentials too (masked as well).
 */
export function readProxyEnv(env: Env, driverOpts: readonly KeyValue[] = []): ProxyEnv {
  const variables = PROXY_VARIABLES.flatMap((name) => {
    const value = env[name]?.trim() ?? '';
    return value === '' ? [] : [{ name, value }];
  });
  const urls = new Map<ProxyVariable, URL>();
  const secrets: string[] = [];
  const warnings: string[] = [];
  for (const { name, value } of variables) {
    if (name.toUpperCase() === 'NO_PROXY') continue;
    const url = parseProxyUrl(value);
    if (url === undefined) throw new InputError(name, redactProxyValue(value), EXPECTED);
    urls.set(name, url);
    secrets.push(...credentials(value, url));
    if (!value.includes('://') && URL.canParse(value)) {
      // http-client parses `name:3128` as a URL of the scheme `name:`, and goes direct: the Actions cache would.
      const shown = redactProxyValue(value);
      warnings.push(
        `${name} "${shown}" has no scheme: docker-build, buildx, BuildKit and Trivy read it as ${displayProxy(url)}, ` +
          `but the Actions toolkit (@actions/http-client) ignores it; write http://${shown}`,
      );
    }
  }
  for (const [lower, upper] of [
    ['https_proxy', 'HTTPS_PROXY'],
    ['http_proxy', 'HTTP_PROXY'],
    ['no_proxy', 'NO_PROXY'],
  ] as const) {
    const a = env[lower]?.trim() ?? '';
    const b = env[upper]?.trim() ?? '';
    if (a !== '' && b !== '' && a !== b) {
      warnings.push(
        `${lower} and ${upper} differ: docker-build and the Actions toolkit use ${lower}, buildx, BuildKit and Trivy ` +
          `(Go) use ${upper}; set one of them, or both to the same value`,
      );
    }
  }
  const first = (...names: ProxyVariable[]) => names.map((name) => urls.get(name)).find((url) => url !== undefined);
  const set = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  // An empty no_proxy gives way to NO_PROXY, as in http-client.
  const noProxy = set(env.no_proxy) ?? set(env.NO_PROXY) ?? '';
  return {
    variables,
    https: first('https_proxy', 'HTTPS_PROXY'),
    http: first('http_proxy', 'HTTP_PROXY'),
    noProxy: noProxy
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    withCredentials: [...urls].filter(([, url]) => url.username !== '' || url.password !== '').map(([name]) => name),
    secrets: [...new Set([...secrets, ...driverOpts.flatMap(driverOptCredentials)])],
    warnings,
  };
}

/**
 * The secrets of a proxy URL: its password as written in the variable, percent-encoded and decoded, and
 * `user:password`; a user name alone (a token given as `token@proxy`) is the secret itself. A user name beside a
 * password is not masked: masking a common word such as `proxy` would garble every log line that holds it.
 */
function credentials(value: string, url: URL): string[] {
  if (url.username === '' && url.password === '') return [];
  const start = value.includes('://') ? value.indexOf('://') + 3 : 0;
  const written = value.slice(start, value.lastIndexOf('@'));
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const all =
    url.password === ''
      ? [written, url.username, decode(url.username)]
      : [written, written.slice(written.indexOf(':') + 1), url.password, decode(url.password)];
  return [...new Set(all)];
}

/** The credentials of a proxy URL in a driver option (`env.HTTPS_PROXY=http://user:password@...`), if any. */
export function driverOptCredentials(opt: KeyValue): string[] {
  if (!/^env\.(?:https?|no)_proxy$/i.test(opt.key)) return [];
  const url = parseProxyUrl(opt.value);
  return url === undefined ? [] : credentials(opt.value.trim(), url);
}
