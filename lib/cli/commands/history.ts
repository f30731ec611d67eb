import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parsePositiveInt,
  parseProvider,
} from '../args.ts';
import { defineCommand } from '../command.ts';
import { printJson, println } from '../context.ts';
import { formatHistory } from '../customer-view.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { apiClientFor } from './api.ts';

const NAME = 'history';

export const historyCommand = defineCommand({
  usage: `Usage: customer-sync history <customer-id> --provider <p> [--limit n] [--cursor c] [--json]

Lists the stored snapshots of one customer at one provider, newest first: one entry per change the
sync saw. Reads the API at CUSTOMER_SYNC_API_URL.

Options:
  --provider p   palomma, delos, mollie or juspay (required).
  --limit n      Entries per page, 1-100 (default 20).
  --cursor c     Continue from the cursor a previous page printed.
  --json         Print the API's answer as JSON (items and cursor).
  -h, --help     Show this help.

Example:
  customer-sync history 01JD5N6ZB0W1S4Q6YF6S5C5V4N --provider mollie --limit 5`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...COMMON_OPTIONS,
      provider: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    });
    const [id = ''] = expectPositionals(NAME, positionals, ['customer-id']);
    if (values.provider === undefined) throw new UsageError('--provider is required', NAME);
    const provider = parseProvider(NAME, values.provider, '--provider');
    const limit = parsePositiveInt(NAME, '--limit', values.limit, 20, 100);
    const response = await apiClientFor(ctx).getHistory(id, provider, limit, values.cursor);
    if (values.json) printJson(ctx.stdout, response.body);
    else println(ctx.stdout, formatHistory(response.body));
    return EXIT_OK;
  },
});
