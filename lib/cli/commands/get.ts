import { COMMON_OPTIONS, expectPositionals, parseCommandArgs } from '../args.ts';
import { defineCommand } from '../command.ts';
import { printJson, println } from '../context.ts';
import { formatCustomer } from '../customer-view.ts';
import { EXIT_OK } from '../errors.ts';
import { apiClientFor } from './api.ts';

const NAME = 'get';

export const getCommand = defineCommand({
  usage: `Usage: customer-sync get <customer-id> [--no-snapshots] [--json]

Shows one customer: the canonical profile, each provider link (status, provider id, last sync) and
each provider's latest normalized snapshot. Reads the API at CUSTOMER_SYNC_API_URL.

Options:
  --no-snapshots  Only the profile and the links table.
  --json          Print the API's answer as JSON.
  -h, --help      Show this help.

Example:
  customer-sync get 01JD5N6ZB0W1S4Q6YF6S5C5V4N`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...COMMON_OPTIONS,
      'no-snapshots': { type: 'boolean', default: false },
    });
    const [id = ''] = expectPositionals(NAME, positionals, ['customer-id']);
    const response = await apiClientFor(ctx).getCustomer(id);
    if (values.json) printJson(ctx.stdout, response.body);
    else println(ctx.stdout, formatCustomer(response.body, { snapshots: !values['no-snapshots'] }));
    return EXIT_OK;
  },
});
