/**
 * How the CLI turns failures into output and exit codes. Every error prints its type and a message
 * that is safe to show: provider errors carry the provider's own text (already redacted by the HTTP
 * layer), API errors the problem's detail and field names. Nothing here prints inputs or secrets.
 */
import { types } from 'node:util';
import { isProviderError } from '../http/errors.ts';
import { redactText } from '../observability/redact.ts';

export const EXIT_OK = 0;
/** A command ran and failed (provider error, API error, a failed import row). */
export const EXIT_FAILURE = 1;
/** The command line itself was wrong: unknown command or flag, missing argument. */
export const EXIT_USAGE = 2;

/** A wrong command line; the dispatcher prints the command's usage to stderr and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage to print (e.g. `providers get`), or null for the top-level usage. */
  readonly command: string | null;
  constructor(message: string, command: string | null = null) {
    super(message);
    this.command = command;
  }
}

/** A problem with a file the user gave (unreadable, not JSON, wrong columns); never quotes its content. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

/** A field-level problem (from zod or a problem+json body): the path and the rule, never the value. */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Errors from Node itself (fs, fetch, parseArgs) can come from another realm (jest's VM modules), where
 * `instanceof Error` is false: check natively instead.
 */
export const isError = (value: unknown): value is Error =>
  value instanceof Error || types.isNativeError(value);

/** The `code` of a system or library error (`ENOENT`, `ECONNREFUSED`, `ERR_PARSE_ARGS_UNKNOWN_OPTION`). */
export function errorCode(value: unknown): string | undefined {
  if (!isError(value) || !('code' in value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}

/** A JSON-friendly description of an error for `--json` output. */
export interface ErrorSummary {
  type: string;
  message: string;
  status?: number;
  provider?: string;
  providerCode?: string;
  retryable?: boolean;
  errors?: FieldIssue[];
}

/** Anything that can describe its field problems (ApiError, validation errors). */
interface WithFieldIssues {
  fieldIssues: FieldIssue[];
}
const hasFieldIssues = (error: Error): error is Error & WithFieldIssues =>
  'fieldIssues' in error && Array.isArray(error.fieldIssues);

/** Error classes whose messages are composed from field names, paths and statuses only. */
const OWN_ERRORS = new Set([
  'UsageError',
  'InputFileError',
  'InvalidCustomerError',
  'MissingCreateFieldsError',
  'ProviderCreateFailedError',
  'ApiError',
  'ConfigError',
]);

export function summarizeError(error: unknown): ErrorSummary {
  if (isProviderError(error)) {
    return {
      type: error.name,
      message: error.message,
      provider: error.provider,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.providerCode === undefined ? {} : { providerCode: error.providerCode }),
    };
  }
  if (isError(error)) {
    const status = 'status' in error && typeof error.status === 'number' ? error.status : undefined;
    const type = error.name || 'Error';
    return {
      type,
      // Messages of the CLI's own errors are built without data; anyone else's (SDKs, Node) get masked.
      message: OWN_ERRORS.has(type) ? error.message : redactText(error.message),
      ...(status === undefined ? {} : { status }),
      ...(hasFieldIssues(error) && error.fieldIssues.length > 0 ? { errors: error.fieldIssues } : {}),
    };
  }
  return { type: 'Error', message: 'unexpected non-error value thrown' };
}

/** `ProviderNotFoundError: mollie getCustomer: not found (HTTP 404): No customer exists with token …`. */
export function formatError(error: unknown): string {
  const summary = summarizeError(error);
  const lines = [`${summary.type}: ${summary.message}`];
  for (const issue of summary.errors ?? []) lines.push(`  - ${issue.field}: ${issue.message}`);
  return lines.join('\n');
}
