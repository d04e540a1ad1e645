/**
 * The proxy rule of docker-build's own HTTP: which proxy, if any, a request to a URL goes through. The decision is
 * @actions/http-client's (`getProxyUrl`), the one @actions/core and @actions/cache follow, so that every HTTP call of a
 * run obeys one rule:
 * - `https_proxy` / `HTTPS_PROXY` for https:// targets, `http_proxy` / `HTTP_PROXY` for http:// ones, lower case
 *   first;
 * - `no_proxy` / `NO_PROXY`: comma-separated entries, case-insensitive; `*` matches everything, `example.com` matches
 *   that host and its subdomains, `.example.com` only its subdomains, `host:port` that host on that port only;
 * - loopback targets (`localhost`, `127.*`, `[::1]`) never go through a proxy, whatever NO_PROXY says: a server on the
 *   runner itself (act's cache server, a local mirror) is not behind the corporate proxy. Go programs (buildx, BuildKit,
 *   Trivy) do the same.
 * The one place where this reads a value differently from http-client: `name:3128` without a scheme, which the URL
 * parser takes for the scheme `name:`, so http-client goes direct; here (as in curl and Go) it is `http://name:3128`.
 */
import { getProxyUrl } from '@actions/http-client/lib/proxy';

/**
 * A proxy variable's value as a URL: `http://host[:port]`, `https://host[:port]` (with `user:password@` when the proxy
 * asks for it), or `host[:port]` read as `http://host[:port]`; undefined when it is none of these.
 */
export function parseProxyUrl(value: string): URL | undefined {
  const text = value.trim();
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
}

/** A proxy URL for logs and `plan`: credentials replaced by `***`, no trailing slash. */
export function displayProxy(url: URL): string {
  const credentials = url.username !== '' || url.password !== '' ? '***@' : '';
  return `${url.protocol}//${credentials}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/**
 * A value that did not parse, for an error message: whatever precedes its last `@` (after the scheme) may be
 * credentials, and becomes `***`.
 */
export function redactProxyValue(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? '';
  return `${scheme}***${value.slice(at)}`;
}

/**
 * The proxy a request to `target` goes through under the process's environment, or undefined for a direct
 * connection. The variables were checked before the run started (src/inputs/proxy.ts); a value that still does not
 * parse is an error that does not repeat it (it may hold a password).
 */
export function proxyFor(target: URL): URL | undefined {
  const chosen = getProxyUrl(target);
  if (chosen === undefined) return undefined;
  const proxy = parseProxyUrl(chosen.href);
  if (proxy === undefined) throw new Error(`the ${target.protocol.slice(0, -1)} proxy variable is not a proxy URL`);
  return proxy;
}
