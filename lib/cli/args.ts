/**
 * Argument parsing on `node:util` parseArgs, strict: an unknown flag, a missing value or a wrong number
 * of positionals is a UsageError (usage on stderr, exit 2), never a silently ignored typo.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { PROVIDERS, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import { isError, UsageError } from './errors.ts';

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

type Parsed<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/** Strict parse; pass `{ ...COMMON_OPTIONS, ...own }` as `options`. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: T,
): Parsed<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes; their messages name the flag only.
    const message = isError(error) ? error.message : 'invalid arguments';
    throw new UsageError(message, command);
  }
}

/** Exactly `names.length` positionals, named in the error when one is missing or extra. */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`missing argument <${names[positionals.length]}>`, command);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument '${positionals[names.length]}'`, command);
  }
  return positionals;
}

export function parseProvider(command: string, value: string, flag = '<provider>'): ProviderName {
  const parsed = ProviderNameSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(`${flag} must be one of ${PROVIDERS.join(', ')}; got '${value}'`, command);
  }
  return parsed.data;
}

/** `--providers a,b` → distinct provider names, in the order given. */
export function parseProviderList(command: string, value: string | undefined): ProviderName[] {
  const names = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (names.length === 0) {
    throw new UsageError(`--providers is required (comma-separated: ${PROVIDERS.join(',')})`, command);
  }
  return [...new Set(names.map((name) => parseProvider(command, name, '--providers')))];
}

export function parsePositiveInt(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  max = 1000,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} must be a positive integer; got '${value}'`, command);
  const n = Number(value);
  if (n < 1 || n > max) throw new UsageError(`${flag} must be between 1 and ${max}; got ${n}`, command);
  return n;
}

/** Idempotency keys travel in a header: printable ASCII, bounded length. */
export function parseIdempotencyKey(command: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new UsageError(
      '--idempotency-key must be 1-255 printable ASCII characters without spaces',
      command,
    );
  }
  return value;
}
