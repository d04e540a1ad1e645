/**
 * docker-build's own HTTP: every request the script makes itself (GitHub's REST API, Trivy's release download) goes
 * through `httpFetch`. Each connection is routed by the proxy rule of ./proxy.ts (@actions/http-client's), redirects
 * included: a release download from github.com is redirected to another host, and that host is decided afresh.
 *
 * The request itself is undici's `fetch` from the npm package (the major version @actions/http-client depends on),
 * not Node's global `fetch`: the global one is the undici built into each Node version, which ignores the proxy
 * variables (Node 24 can honour them behind NODE_USE_ENV_PROXY, with undici's own NO_PROXY rule), so the action would
 * behave differently on a Node 20 and a Node 24 runner. Timeouts and cancellation are the caller's `signal`.
 *
 * undici (about 0.43 MB of the bundle) is loaded on the first request, from a chunk of its own: a run that makes no
 * HTTP call of its own (`plan` on a laptop, a GitLab job) never reads it.
 */
import type { Dispatcher, Response } from 'undici';
import { displayProxy, proxyFor } from './proxy.js';

type Undici = Pick<typeof import('undici'), 'Agent' | 'Dispatcher' | 'ProxyAgent' | 'fetch'>;

/** A dispatcher that sends each request direct or through its proxy, as ./proxy.ts decides for its origin. */
function proxyRouter({ Agent, Dispatcher, ProxyAgent }: Undici): Dispatcher {
  class ProxyRouter extends Dispatcher {
    private readonly direct = new Agent();
    /** one agent per proxy URL, so that connections to the proxy are reused */
    private readonly proxied = new Map<string, Dispatcher>();

    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
      return this.route(options.origin).dispatch(options, handler);
    }

    private route(origin: string | URL | undefined): Dispatcher {
      const proxy = origin === undefined ? undefined : proxyFor(new URL(origin));
      if (proxy === undefined) return this.direct;
      let agent = this.proxied.get(proxy.href);
      if (agent === undefined) {
        // undici takes the credentials of the URL's `user:password@` for the Proxy-Authorization header itself.
        agent = new ProxyAgent({ uri: proxy.href });
        this.proxied.set(proxy.href, agent);
      }
      return agent;
    }

    private all(): Dispatcher[] {
      return [this.direct, ...this.proxied.values()];
    }

    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | undefined {
      const done = Promise.all(this.all().map((d) => d.close())).then(() => undefined);
      if (callback === undefined) return done;
      void done.then(callback);
      return undefined;
    }

    override destroy(err?: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | undefined {
      const error = typeof first === 'function' ? null : (first ?? null);
      const callback = typeof first === 'function' ? first : second;
      const done = Promise.all(this.all().map((d) => d.destroy(error))).then(() => undefined);
      if (callback === undefined) return done;
      void done.then(callback);
      return undefined;
    }
  }
  return new ProxyRouter();
}

let loaded: Promise<{ fetch: Undici['fetch']; router: Dispatcher }> | undefined;

/** undici and the router, made once. */
function undici() {
  loaded ??= import('undici').then((module) => ({ fetch: module.fetch, router: proxyRouter(module) }));
  return loaded;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  /** the caller's timeout and cancellation */
  signal?: AbortSignal;
}

/** How a request to `url` goes, for error messages: `through the proxy http://proxy:3128` or `direct`. */
export function routeOf(url: string): string {
  const proxy = proxyFor(new URL(url));
  return proxy === undefined ? 'direct' : `through the proxy ${displayProxy(proxy)}`;
}

/**
 * A GET of `url`, redirects followed. A network failure says why and which way the request went (a proxy that
 * refuses, or asks for credentials, is the usual cause behind a corporate proxy); an abort or timeout is rethrown as
 * it is, for the caller to tell it apart.
 */
export async function httpFetch(url: string, options: HttpOptions = {}): Promise<Response> {
  const { fetch, router } = await undici();
  try {
    return await fetch(url, {
      dispatcher: router,
      redirect: 'follow',
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new Error(`${error.message}${deepestCause(error)} (${routeOf(url)})`, { cause: error });
  }
}

/** `: why`, from the innermost cause: undici wraps the proxy's refusal in a cancellation wrapped in `fetch failed`. */
function deepestCause(error: Error): string {
  let inner: Error | undefined;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) inner = cause;
  return inner === undefined ? '' : `: ${inner.message}`;
}
