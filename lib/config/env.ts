/**
 * The only module that reads process.env. Everything is parsed once with zod and fails fast with the
 * name of the variable that is missing or malformed.
 */
import * as z from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`; on failure names every bad variable (never its value: it may be a secret). */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

const optionalUrl = z.url().optional();

export const StoreEnvSchema = z.object({
  TABLE_NAME: z.string().min(3).default('customer-sync-local'),
  /** Set locally (DynamoDB Local); unset in AWS so the SDK uses the regional endpoint. */
  DYNAMODB_ENDPOINT: optionalUrl,
  AWS_REGION: z.string().min(1).default('us-east-1'),
  HISTORY_RETENTION_DAYS: z.coerce.number().int().positive().default(365),
});
export type StoreEnv = z.infer<typeof StoreEnvSchema>;

export const loadStoreEnv = (env: Record<string, string | undefined> = process.env): StoreEnv =>
  parseEnv(StoreEnvSchema, env);

/** The raw environment, for modules in lib/config that parse their own part of it. */
export const processEnv = (): Record<string, string | undefined> => process.env;
