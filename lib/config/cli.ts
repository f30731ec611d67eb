/**
 * Configuration of the `customer-sync` CLI. The API commands (`create`, `import`, `get`, `history`)
 * talk to the API over HTTP; `sync` talks to DynamoDB and the providers directly, like the sync worker;
 * `providers` talks to one provider. By default everything points at the local stack: `customer-sync
 * start` (`npm start`) writes where its parts listen to `<LOCAL_DATA_DIR>/stack.json` and its API key to
 * `<LOCAL_DATA_DIR>/api-key`, so the CLI in another terminal needs no configuration. Against a deployed
 * stage, the same variables as the functions' (plus CUSTOMER_SYNC_API_URL/KEY) say where to go.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { sandboxApiEnv } from '../../sandbox/index.ts';
import { PROVIDERS, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import { ConfigError, parseEnv, processEnv } from './env.ts';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime.ts';

/** Where `npm start` serves the API unless PORT/HOST say otherwise. */
export const LOCAL_API_URL = 'http://127.0.0.1:3000';
export const LOCAL_STACK_FILE = 'stack.json';
export const LOCAL_API_KEY_FILE = 'api-key';

type Env = Record<string, string | undefined>;
interface FileOptions {
  cwd?: string;
  /** Returns the file's text or null when it does not exist; injectable for tests. */
  readFile?: (path: string) => string | null;
  /** Whether a process id is alive; injectable for tests. */
  isAlive?: (pid: number) => boolean;
}

// ---------------------------------------------------------------------------------------------------
// The running local stack

/** What `customer-sync start` writes for the CLI once the stack is up (no secrets: the key has its own file). */
export const LocalStackInfoSchema = z.object({
  pid: z.number().check(z.int(), z.positive()),
  apiUrl: z.url(),
  dynamoDbEndpoint: z.url(),
  tableName: z.string().check(z.minLength(3)),
  region: z.string().check(z.minLength(1)),
  /** Base URL of each provider sandbox that runs (providers pointed elsewhere have none). */
  sandboxes: z.partialRecord(ProviderNameSchema, z.url()),
});
export type LocalStackInfo = z.infer<typeof LocalStackInfoSchema>;

/** `LOCAL_DATA_DIR` as the local runtime reads it (default `.local`), absolute. */
export function localDataDir(env: Env, cwd = '.'): string {
  return resolve(cwd, env.LOCAL_DATA_DIR?.trim() || '.local');
}

export const localStackFilePath = (env: Env, cwd?: string): string =>
  resolve(localDataDir(env, cwd), LOCAL_STACK_FILE);

/** The running local stack, or null when none runs (no file, a stale file of a dead process, or garbage). */
export function readLocalStack(env: Env, options: FileOptions = {}): LocalStackInfo | null {
  const text = (options.readFile ?? readOptionalFile)(localStackFilePath(env, options.cwd));
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = LocalStackInfoSchema.safeParse(json);
  if (!parsed.success) return null;
  return (options.isAlive ?? isProcessAlive)(parsed.data.pid) ? parsed.data : null;
}

// ---------------------------------------------------------------------------------------------------
// API commands

export const CliApiEnvSchema = z.object({
  CUSTOMER_SYNC_API_URL: z.optional(z.url()),
  CUSTOMER_SYNC_API_KEY: z.optional(z.string().check(z.minLength(1))),
  /** Per-request timeout of API calls, in milliseconds. */
  CUSTOMER_SYNC_API_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 30_000),
});

export interface CliApiConfig {
  /** Base URL without a trailing slash, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/**
 * API URL and key. The URL defaults to the running local stack's (else http://127.0.0.1:3000). The key
 * comes from `CUSTOMER_SYNC_API_KEY`, or, for a loopback URL only, from the file the local runtime
 * keeps it in: a remote stage's key is never guessed from local files.
 */
export function loadCliApiConfig(env: Env = processEnv(), options: FileOptions = {}): CliApiConfig {
  const present = nonEmpty(env);
  const parsed = parseEnv(CliApiEnvSchema, present);
  const apiUrl = (
    parsed.CUSTOMER_SYNC_API_URL ??
    readLocalStack(present, options)?.apiUrl ??
    LOCAL_API_URL
  ).replace(/\/+$/, '');
  let apiKey = parsed.CUSTOMER_SYNC_API_KEY;
  const keyFile = resolve(localDataDir(present, options.cwd), LOCAL_API_KEY_FILE);
  if (apiKey === undefined && isLoopback(apiUrl)) {
    apiKey = (options.readFile ?? readOptionalFile)(keyFile)?.trim() || undefined;
  }
  if (apiKey === undefined) {
    throw new ConfigError(
      isLoopback(apiUrl)
        ? `Invalid configuration: CUSTOMER_SYNC_API_KEY: not set, and no local API key in ${keyFile} (is \`npm start\` running?)`
        : 'Invalid configuration: CUSTOMER_SYNC_API_KEY: required for a non-local CUSTOMER_SYNC_API_URL',
    );
  }
  return { apiUrl, apiKey, timeoutMs: parsed.CUSTOMER_SYNC_API_TIMEOUT_MS };
}

// ---------------------------------------------------------------------------------------------------
// Provider commands and sync

const prefixOf = (provider: ProviderName) => provider.toUpperCase();

/**
 * The environment for `loadProviderConfigs`: as given, plus, for each provider the env does not
 * configure (no `<PROVIDER>_BASE_URL`, no `<PROVIDER>_SECRET_ARN`), the running local stack's sandbox.
 */
export function loadCliProviderEnv(env: Env = processEnv(), options: FileOptions = {}): Env {
  const present = nonEmpty(env);
  const stack = readLocalStack(present, options);
  if (!stack) return present;
  const result: Env = { ...present };
  for (const provider of PROVIDERS) {
    const p = prefixOf(provider);
    const sandboxUrl = stack.sandboxes[provider];
    if (sandboxUrl === undefined || present[`${p}_BASE_URL`] || present[`${p}_SECRET_ARN`]) continue;
    Object.assign(result, sandboxApiEnv({ [provider]: { url: sandboxUrl } }));
  }
  return result;
}

export interface CliSyncConfig {
  runtime: RuntimeConfig;
  /** For `loadProviderConfigs`. */
  providerEnv: Env;
}

/**
 * `sync`: the functions' runtime configuration. For the `local` stage without `DYNAMODB_ENDPOINT`, the
 * running local stack's DynamoDB and table; with neither, a ConfigError rather than a silent attempt
 * on the AWS account the machine happens to have credentials for.
 */
export function loadCliSyncConfig(env: Env = processEnv(), options: FileOptions = {}): CliSyncConfig {
  const providerEnv = loadCliProviderEnv(env, options);
  const stage = providerEnv.STAGE ?? 'local';
  let storeEnv: Env = {};
  if (stage === 'local' && providerEnv.DYNAMODB_ENDPOINT === undefined) {
    const stack = readLocalStack(providerEnv, options);
    if (!stack) {
      throw new ConfigError(
        'Invalid configuration: DYNAMODB_ENDPOINT: not set and no local stack is running (start one with `npm start`, or set STAGE, TABLE_NAME and AWS_REGION for a deployed stage)',
      );
    }
    storeEnv = {
      DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      TABLE_NAME: providerEnv.TABLE_NAME ?? stack.tableName,
      AWS_REGION: providerEnv.AWS_REGION ?? stack.region,
    };
  }
  return { runtime: loadRuntimeConfig({ ...providerEnv, ...storeEnv }), providerEnv };
}

/** The environment as the CLI entry sees it; only lib/config touches process.env. */
export const cliEnv = (): Env => processEnv();

// ---------------------------------------------------------------------------------------------------

/** An empty variable means "not set" (`FOO=` in a shell or .env file). */
function nonEmpty(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

function readOptionalFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}
