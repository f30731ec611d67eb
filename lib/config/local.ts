/**
 * Configuration of the local runtime (`npm start`). Everything has a default that works on a fresh
 * clone with no AWS and no provider accounts; what the env sets is configuration, not code:
 *
 * - `PORT` (default 3000; `0` picks a free port), `HOST` (default 127.0.0.1): where the API listens.
 * - `LOCAL_API_KEY`: the `x-api-key` to require; default a generated key, kept in
 *   `<LOCAL_DATA_DIR>/api-key` so it survives restarts and the CLI finds it.
 * - `LOCAL_DATA_DIR` (default `.local`, git-ignored): DynamoDB Local's files (`dynamodb/`), handler
 *   logs (`logs/`) and the API key.
 * - `LOCAL_SEED` (default 5): demo customers per sandbox, besides each provider's documented examples.
 * - `LOCAL_SYNC_INTERVAL_SECONDS`: overrides the `local` stage's schedule interval (infra/stages.ts).
 * - `LOCAL_HANDLER_LOGS` (`file` default, `console`, `silent`): where the handlers' JSON logs and EMF
 *   metrics go; `file` keeps the console to one line per request and per sync run.
 * - `LOCAL_BACKFILL` (default true): link the sandboxes' demo customers on start.
 * - `DYNAMODB_ENDPOINT`: use that DynamoDB (another DynamoDB Local, or AWS when set to its regional
 *   URL) instead of starting one. `TABLE_NAME`, `IDEMPOTENCY_TABLE_NAME`, `AWS_REGION` as in AWS.
 * - `<PROVIDER>_BASE_URL` (+ that provider's credentials, see lib/config/providers.ts): talk to that
 *   provider instead of its sandbox.
 */
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { PROVIDERS, type ProviderName } from '../customer/snapshot.ts';
import { parseEnv, processEnv } from './env.ts';

const booleanish = z.pipe(
  z.enum(['true', 'false', '1', '0', 'yes', 'no']),
  z.transform((value) => value === 'true' || value === '1' || value === 'yes'),
);

export const LocalEnvSchema = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65_535)), 3000),
  HOST: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  /** API Gateway keys are 20 to 128 characters; the local one follows the same rule. */
  LOCAL_API_KEY: z.optional(
    z.string().check(z.regex(/^[\x21-\x7e]{20,128}$/, 'must be 20 to 128 visible ASCII characters')),
  ),
  LOCAL_DATA_DIR: z._default(z.string().check(z.minLength(1)), '.local'),
  LOCAL_SEED: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 5),
  LOCAL_SYNC_INTERVAL_SECONDS: z.optional(z.coerce.number().check(z.int(), z.positive())),
  LOCAL_HANDLER_LOGS: z._default(z.enum(['file', 'console', 'silent']), 'file'),
  LOCAL_BACKFILL: z._default(booleanish, true),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  TABLE_NAME: z._default(z.string().check(z.minLength(3)), 'customer-sync-local'),
  IDEMPOTENCY_TABLE_NAME: z._default(z.string().check(z.minLength(3)), 'customer-sync-idempotency-local'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
});

export type HandlerLogMode = 'file' | 'console' | 'silent';

export interface LocalConfig {
  host: string;
  port: number;
  /** Null: use (or generate) the key in `<dataDir>/api-key`. */
  apiKey: string | null;
  /** Absolute. */
  dataDir: string;
  seed: number;
  syncIntervalSeconds: number | null;
  handlerLogs: HandlerLogMode;
  backfill: boolean;
  /** Null: start DynamoDB Local. */
  dynamoDbEndpoint: string | null;
  tableName: string;
  idempotencyTableName: string;
  region: string;
  /** Providers pointed elsewhere by `<PROVIDER>_BASE_URL`; their sandboxes are not started. */
  externalProviders: ProviderName[];
  /** The environment as given, for the provider configuration loader (credentials of external providers). */
  env: Record<string, string | undefined>;
}

export function loadLocalConfig(
  env: Record<string, string | undefined> = processEnv(),
  cwd: string = process.cwd(),
): LocalConfig {
  // An empty variable means "not set", as in a `.env` file with `PORT=`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = parseEnv(LocalEnvSchema, present);
  return {
    host: parsed.HOST,
    port: parsed.PORT,
    apiKey: parsed.LOCAL_API_KEY ?? null,
    dataDir: resolve(cwd, parsed.LOCAL_DATA_DIR),
    seed: parsed.LOCAL_SEED,
    syncIntervalSeconds: parsed.LOCAL_SYNC_INTERVAL_SECONDS ?? null,
    handlerLogs: parsed.LOCAL_HANDLER_LOGS,
    backfill: parsed.LOCAL_BACKFILL,
    dynamoDbEndpoint: parsed.DYNAMODB_ENDPOINT ?? null,
    tableName: parsed.TABLE_NAME,
    idempotencyTableName: parsed.IDEMPOTENCY_TABLE_NAME,
    region: parsed.AWS_REGION,
    externalProviders: PROVIDERS.filter((provider) => Boolean(present[`${provider.toUpperCase()}_BASE_URL`])),
    env: present,
  };
}
