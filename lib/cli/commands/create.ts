import { resolve } from 'node:path';
import { ulid } from 'ulid';
import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parseIdempotencyKey,
  parseProviderList,
} from '../args.ts';
import { defineCommand } from '../command.ts';
import { printJson, println } from '../context.ts';
import { CreateResultViewSchema, formatCreateResult } from '../customer-view.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.ts';
import { flattenRows, twoColumns } from '../format.ts';
import { readCustomerJson } from '../input-file.ts';
import { apiClientFor } from './api.ts';

const NAME = 'create';

export const createCommand = defineCommand({
  usage: `Usage: customer-sync create --file customer.json --providers a,b [--idempotency-key k] [--json]

Creates one customer at the given providers through the API (POST /customers): the customer is stored
once, created at each provider exactly once, and linked. Prints the customer id and, per provider,
created / pending (not done yet: the scheduler completes it) / failed (the provider rejected it; exit 1).

Options:
  --file f              A JSON file with one customer (CustomerInput; see docs/cli.md).
  --providers a,b       Comma-separated: palomma, delos, mollie, juspay.
  --idempotency-key k   Makes a re-run replay the first answer instead of creating again.
                        Without it the CLI makes a fresh key (its own retries are still safe).
  --json                Print the API's answer as JSON.
  -h, --help            Show this help.

Example:
  customer-sync create --file ana.json --providers palomma,mollie --idempotency-key ana-2024-06`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...COMMON_OPTIONS,
      file: { type: 'string' },
      providers: { type: 'string' },
      'idempotency-key': { type: 'string' },
    });
    expectPositionals(NAME, positionals, []);
    if (values.file === undefined) throw new UsageError('--file is required', NAME);
    const providers = parseProviderList(NAME, values.providers);
    const key = parseIdempotencyKey(NAME, values['idempotency-key']) ?? `cli:${ulid()}`;
    const customer = await readCustomerJson(resolve(ctx.cwd, values.file));
    const response = await apiClientFor(ctx).createCustomer(customer, providers, key, ctx.signal);
    const parsed = CreateResultViewSchema.safeParse(response.body);
    if (values.json) {
      printJson(ctx.stdout, response.body);
    } else {
      const replayed = response.headers.get('idempotent-replayed') === 'true' ? ', replayed' : '';
      println(ctx.stdout, `HTTP ${response.status} (Idempotency-Key ${key}${replayed})`);
      println(
        ctx.stdout,
        parsed.success ? formatCreateResult(parsed.data) : twoColumns(flattenRows(response.body)),
      );
    }
    const failed =
      parsed.success && Object.values(parsed.data.providers).some((item) => item.status === 'failed');
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
});
