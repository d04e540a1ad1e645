/** Registry credentials from `registry`/`username`/`password` and login-action's `registry-auth` YAML list. */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError } from '../errors.js';

export interface RegistryLogin {
  /** Host (and port) as `docker login` takes it: `ghcr.io`, `registry.example.com:5000`, `docker.io`. */
  registry: string;
  username: string;
  password: string;
  /** Where it came from, for logs and errors. */
  source: 'inputs' | 'registry-auth' | 'automatic' | 'dependency-proxy';
}

export const DOCKER_HUB = 'docker.io';

// A registry host: a DNS name or IPv4 address with an optional port, or bracketed IPv6. No scheme, no path, no
// whitespace: this value reaches `docker login` as an argument and must never look like an option.
const REGISTRY_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function parseRegistryHost(input: string, text: string): string {
  const host = text
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (!REGISTRY_HOST.test(host)) {
    throw new InputError(input, text, 'expected a registry host such as ghcr.io or registry.example.com:5000');
  }
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

export function simpleLogin(registry: string, username: string, password: string): RegistryLogin[] {
  const user = username.trim();
  // The registry is checked first: a value like `--password=x` must be named as what it is, a bad registry.
  if (registry.trim() !== '') parseRegistryHost('registry', registry);
  if (user === '' && password === '') {
    if (registry.trim() !== '') throw new InputError('username', '', `needed to log in to ${registry.trim()}`);
    return [];
  }
  if (user === '') throw new InputError('username', '', 'needed with password');
  if (password === '') throw new InputError('password', undefined, `needed with username ${user}`);
  const host = registry.trim() === '' ? DOCKER_HUB : parseRegistryHost('registry', registry);
  return [{ registry: host, username: user, password, source: 'inputs' }];
}

const SHAPE = 'expected a YAML list of entries with registry, username and password';

/** Parses `registry-auth`. Its text holds passwords, so no error repeats any of it. */
export function parseRegistryAuth(text: string): RegistryLogin[] {
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
    throw new InputError('registry-auth', undefined, `malformed YAML${line === undefined ? '' : ` at line ${line}`}`);
  }
  if (!Array.isArray(doc)) throw new InputError('registry-auth', undefined, SHAPE);
  return doc.map((entry: unknown, index) => {
    const where = `entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new InputError('registry-auth', undefined, `${where}: ${SHAPE}`);
    }
    const fields = entry as Record<string, unknown>;
    const field = (name: string): string => {
      const value = fields[name];
      if (value === undefined || value === null) return '';
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InputError('registry-auth', undefined, `${where}: ${name} must be text`);
      }
      return String(value);
    };
    const registry = field('registry').trim();
    if (registry === '') throw new InputError('registry-auth', undefined, `${where} has no registry`);
    const host = parseRegistryHost('registry-auth', registry);
    const username = field('username').trim();
    const password = field('password');
    if (username === '' || password === '') {
      throw new InputError('registry-auth', undefined, `${where} (${host}) needs both username and password`);
    }
    return { registry: host, username, password, source: 'registry-auth' };
  });
}

/** All configured logins; one registry may appear once. */
export function combineLogins(logins: readonly RegistryLogin[]): RegistryLogin[] {
  const seen = new Set<string>();
  for (const login of logins) {
    if (seen.has(login.registry)) {
      throw new InputError('registry-auth', undefined, `${login.registry} is given more than once`);
    }
    seen.add(login.registry);
  }
  return [...logins];
}
