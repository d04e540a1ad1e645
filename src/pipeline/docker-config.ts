/**
 * The user's own Docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), read once and never
 * written: the credentials a job already has (a prior `docker login`, `credHelpers`, `credsStore`) and its
 * `proxies`. `readUserDockerConfig` gives the plan a view without secrets; `privateConfigEntries` gives the run's
 * private config the entries the plan chose to copy, for the registries in play only.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UsageError } from '../errors.js';
import { DOCKER_HUB } from '../inputs/login.js';
import type { UserDockerConfig } from '../plan/credentials.js';
import type { PlannedCredential } from '../plan/types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The parts of config.json that docker-build reads. */
interface ConfigFile {
  auths?: Record<string, Record<string, unknown>>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  proxies?: unknown;
}

export interface UserConfig {
  view: UserDockerConfig;
  file: ConfigFile;
}

/** The user's Docker config directory. */
export function userDockerConfig(env: Env): string {
  return env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

/** A helper's name becomes a program name (`docker-credential-<name>`): never a path. */
const HELPER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The registry a config key names, as Docker matches them: scheme and path dropped, Docker Hub's aliases as one. */
export function keyRegistry(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]
    ?.toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' || host === undefined ? DOCKER_HUB : host;
}

export function readUserDockerConfig(env: Env): UserConfig | undefined {
  const path = join(userDockerConfig(env), 'config.json');
  if (!existsSync(path)) return undefined;
  let file: ConfigFile;
  try {
    file = parseConfig(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `Invalid Docker config ${path}: ${error instanceof Error ? error.message : String(error)} ` +
        '(docker-build reads the credentials of earlier logins from it)',
    );
  }
  const helpers = [
    ...Object.values(file.credHelpers ?? {}),
    ...(file.credsStore === undefined ? [] : [file.credsStore]),
  ];
  for (const helper of helpers) {
    if (!HELPER.test(helper)) {
      throw new UsageError(
        `Invalid credential helper ${JSON.stringify(helper)} in ${path}: expected a name such as ecr-login`,
      );
    }
  }
  return {
    file,
    view: {
      path,
      auths: Object.entries(file.auths ?? {}).map(([key, entry]) => ({
        key,
        registry: keyRegistry(key),
        usable: ['auth', 'password', 'identitytoken', 'registrytoken'].some(
          (field) => typeof entry[field] === 'string' && entry[field] !== '',
        ),
      })),
      credHelpers: Object.entries(file.credHelpers ?? {}).map(([key, helper]) => ({
        key,
        registry: keyRegistry(key),
        helper,
      })),
      credsStore: file.credsStore === '' ? undefined : file.credsStore,
      helpersOnPath: [...new Set(helpers)].filter((helper) => onPath(`docker-credential-${helper}`, env)),
    },
  };
}

function parseConfig(text: string): ConfigFile {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  const config = value as Record<string, unknown>;
  const objectOf = (name: string) => {
    const field = config[name];
    if (field === undefined || field === null) return undefined;
    if (typeof field !== 'object' || Array.isArray(field)) throw new Error(`${name} is not an object`);
    return field as Record<string, unknown>;
  };
  const auths = objectOf('auths');
  const credHelpers = objectOf('credHelpers');
  for (const [key, helper] of Object.entries(credHelpers ?? {})) {
    if (typeof helper !== 'string') throw new Error(`credHelpers.${key} is not a string`);
  }
  for (const [key, entry] of Object.entries(auths ?? {})) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new Error(`auths.${key} is not an object`);
  }
  const credsStore = config.credsStore;
  if (credsStore !== undefined && typeof credsStore !== 'string') throw new Error('credsStore is not a string');
  return {
    ...(auths === undefined ? {} : { auths: auths as Record<string, Record<string, unknown>> }),
    ...(credHelpers === undefined ? {} : { credHelpers: credHelpers as Record<string, string> }),
    ...(credsStore === undefined ? {} : { credsStore }),
    ...(config.proxies === undefined ? {} : { proxies: config.proxies }),
  };
}

function onPath(program: string, env: Env): boolean {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** What the private config takes over from the user's: the chosen `auths` entries and helpers, and `proxies`. */
export interface PrivateEntries {
  auths: Record<string, Record<string, unknown>>;
  credHelpers: Record<string, string>;
  proxies?: unknown;
}

export function privateConfigEntries(
  user: UserConfig | undefined,
  credentials: readonly PlannedCredential[],
): PrivateEntries {
  const entries: PrivateEntries = { auths: {}, credHelpers: {} };
  if (user === undefined) return entries;
  for (const { copy } of credentials) {
    if (copy?.kind === 'auths') {
      const entry = user.file.auths?.[copy.key];
      if (entry !== undefined) entries.auths[copy.key] = entry;
    } else if (copy?.kind === 'helper') {
      entries.credHelpers[copy.key] = copy.helper;
    }
  }
  if (user.file.proxies !== undefined) entries.proxies = user.file.proxies;
  return entries;
}
