/**
 * `providers get` / `providers create`: one adapter call against one provider, with the configured base
 * URL and credentials, and nothing else (no store, no API). The quickest check that a provider
 * connection works, and what a support engineer runs to see what a provider says about a customer.
 */
import { resolve } from 'node:path';
import { ulid } from 'ulid';
import { loadCliProviderEnv } from '../../config/cli.ts';
import { loadProviderConfigs } from '../../config/providers.ts';
import type { ProviderName } from '../../customer/snapshot.ts';
import { missingCreateFields, type ProviderAdapter } from '../../providers/adapter.ts';
import { createAdapters } from '../../providers/registry.ts';
import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parseIdempotencyKey,
  parseProvider,
} from '../args.ts';
import { defineCommand } from '../command.ts';
import type { CliContext } from '../context.ts';
import { printJson, println } from '../context.ts';
import { EXIT_OK, type FieldIssue, UsageError } from '../errors.ts';
import { formatSnapshot } from '../format.ts';
import { readCustomerJson } from '../input-file.ts';

async function adapterFor(provider: ProviderName, ctx: CliContext): Promise<ProviderAdapter> {
  const env = loadCliProviderEnv(ctx.env, { cwd: ctx.cwd });
  const adapter = createAdapters(await loadProviderConfigs(env, { providers: [provider] }))[provider];
  // loadProviderConfigs throws a ConfigError naming what is missing before this can happen.
  if (!adapter) throw new UsageError(`${provider} is not configured`, `providers`);
  return adapter;
}

/** The input lacks what this provider needs to create; caught before any request is sent. */
export class MissingCreateFieldsError extends Error {
  override readonly name = 'MissingCreateFieldsError';
  readonly fieldIssues: FieldIssue[];
  constructor(provider: ProviderName, missing: { field: string; rule: string }[]) {
    super(`${provider} needs more to create this customer: ${missing.map((item) => item.field).join(', ')}`);
    this.fieldIssues = missing.map((item) => ({ field: item.field, message: item.rule }));
  }
}

const GET = 'providers get';

export const providersGetCommand = defineCommand({
  usage: `Usage: customer-sync providers get <provider> <id> [--json]

Fetches one customer straight from the provider (its API, through the adapter) and prints the
normalized snapshot. Checks the provider's base URL and credentials from the environment
(<PROVIDER>_BASE_URL and credentials, or <PROVIDER>_SECRET_ARN; locally, the sandboxes).

Arguments:
  provider   palomma, delos, mollie or juspay.
  id         The provider's customer id (Mollie cst_…, Delos cuid, Palomma id, Juspay cst_… or object_reference_id).

Options:
  --json      Print the snapshot as JSON.
  -h, --help  Show this help.

Example:
  customer-sync providers get mollie cst_8wmqcHMN4U`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(GET, args, { ...COMMON_OPTIONS });
    const [name = '', id = ''] = expectPositionals(GET, positionals, ['provider', 'id']);
    const provider = parseProvider(GET, name);
    if (id.trim() === '') throw new UsageError('<id> must not be empty', GET);
    const snapshot = await (await adapterFor(provider, ctx)).getCustomer(id);
    if (values.json) printJson(ctx.stdout, snapshot);
    else println(ctx.stdout, formatSnapshot(snapshot));
    return EXIT_OK;
  },
});

const CREATE = 'providers create';

export const providersCreateCommand = defineCommand({
  usage: `Usage: customer-sync providers create <provider> --file customer.json [--idempotency-key k] [--json]

Creates one customer straight at the provider through its adapter and prints the normalized snapshot
the provider returned. Nothing is stored: use \`customer-sync create\` to create and track a customer.

Options:
  --file f              A JSON file with one customer (CustomerInput; see docs/cli.md).
  --idempotency-key k   Passed to the adapter (Mollie Idempotency-Key); default a fresh key.
  --json                Print the snapshot as JSON.
  -h, --help            Show this help.

Example:
  customer-sync providers create palomma --file ana.json --idempotency-key ana-001`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(CREATE, args, {
      ...COMMON_OPTIONS,
      file: { type: 'string' },
      'idempotency-key': { type: 'string' },
    });
    const [name = ''] = expectPositionals(CREATE, positionals, ['provider']);
    const provider = parseProvider(CREATE, name);
    if (values.file === undefined) throw new UsageError('--file is required', CREATE);
    const key = parseIdempotencyKey(CREATE, values['idempotency-key']) ?? `cli:${ulid()}`;
    const input = await readCustomerJson(resolve(ctx.cwd, values.file));
    const adapter = await adapterFor(provider, ctx);
    const missing = missingCreateFields(adapter, input);
    if (missing.length > 0) throw new MissingCreateFieldsError(provider, missing);
    const snapshot = await adapter.createCustomer(input, key);
    if (values.json) printJson(ctx.stdout, snapshot);
    else println(ctx.stdout, formatSnapshot(snapshot));
    return EXIT_OK;
  },
});
