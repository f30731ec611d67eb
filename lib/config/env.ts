/**
 * The only module that reads process.env. Everything is parsed once with zod and fails fast with the
 * name of the variable that is missing or malformed.
 */
import * as z from 'zod/mini';
import '../customer/zod-locale.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`; on failure names every bad variable (never its value: it may be a secret). */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

const optionalUrl = z.optional(z.url());

export const StoreEnvSchema = z.object({
  TABLE_NAME: z._default(z.string().check(z.minLength(3)), 'customer-sync-local'),
  /** Set locally (DynamoDB Local); unset in AWS so the SDK uses the regional endpoint. */
  DYNAMODB_ENDPOINT: optionalUrl,
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  HISTORY_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 365),
});
export type StoreEnv = z.infer<typeof StoreEnvSchema>;

export const loadStoreEnv = (env: Record<string, string | undefined> = process.env): StoreEnv =>
  parseEnv(StoreEnvSchema, env);

/** The raw environment, for modules in lib/config that parse their own part of it. */
export const processEnv = (): Record<string, string | undefined> => process.env;
