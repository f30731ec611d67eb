/**
 * The `customer-sync` command dispatcher: finds the command, runs it, maps failures to exit codes.
 * Command modules are imported lazily so `customer-sync get` does not load the AWS SDK or the adapters.
 */
import type { CliContext } from './context.ts';
import { println } from './context.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatError, summarizeError, UsageError } from './errors.ts';

export interface CommandModule {
  /** Full help text, printed for --help (stdout) and after a usage error (stderr). */
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

interface CommandEntry {
  /** As typed: `providers get`. */
  name: string;
  synopsis: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    synopsis: 'start',
    summary: 'Run the local stack (DynamoDB Local, provider sandboxes, API, scheduler, worker).',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
  {
    name: 'providers get',
    synopsis: 'providers get <provider> <id>',
    summary: 'Fetch one customer straight from a provider and print the normalized snapshot.',
    load: async () => (await import('./commands/providers.ts')).providersGetCommand,
  },
  {
    name: 'providers create',
    synopsis: 'providers create <provider> --file customer.json [--idempotency-key k]',
    summary: 'Create one customer straight at a provider (no store, no API).',
    load: async () => (await import('./commands/providers.ts')).providersCreateCommand,
  },
  {
    name: 'sync',
    synopsis: 'sync [--provider p] [--all] [--backfill] [--concurrency n]',
    summary: 'Run a sync pass now: refresh every due link from its provider into the store.',
    load: async () => (await import('./commands/sync.ts')).syncCommand,
  },
  {
    name: 'create',
    synopsis: 'create --file customer.json --providers a,b [--idempotency-key k]',
    summary: 'Create one customer at the given providers through the API.',
    load: async () => (await import('./commands/create.ts')).createCommand,
  },
  {
    name: 'import',
    synopsis: 'import <customers.csv|.jsonl> --providers a,b [--concurrency n] [--dry-run]',
    summary: 'Create many customers through the API; resumable and idempotent.',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  {
    name: 'get',
    synopsis: 'get <customer-id>',
    summary: 'Show one customer with its provider links and latest snapshots (API).',
    load: async () => (await import('./commands/get.ts')).getCommand,
  },
  {
    name: 'history',
    synopsis: 'history <customer-id> --provider p [--limit n] [--cursor c]',
    summary: "List a customer's snapshot history at one provider, newest first (API).",
    load: async () => (await import('./commands/history.ts')).historyCommand,
  },
];

export function topLevelUsage(): string {
  return [
    'Usage: customer-sync <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.synopsis}\n      ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help.',
    'Configuration: CUSTOMER_SYNC_API_URL, CUSTOMER_SYNC_API_KEY (API commands); TABLE_NAME,',
    'DYNAMODB_ENDPOINT, AWS_REGION and provider credentials (providers, sync). See docs/cli.md.',
  ].join('\n');
}

/** Resolves `argv` to a command and the arguments left for it; null when nothing matches. */
export function resolveCommand(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | null {
  const [first, second, ...others] = argv;
  if (first === undefined) return null;
  if (first === 'providers') {
    const entry = second === undefined ? undefined : COMMANDS.find((c) => c.name === `providers ${second}`);
    return entry ? { entry, rest: others } : null;
  }
  const entry = COMMANDS.find((c) => c.name === first && !c.name.includes(' '));
  return entry ? { entry, rest: argv.slice(1) } : null;
}

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [first, second] = argv;
  const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';
  if (isHelp(first) || (first === 'providers' && isHelp(second))) {
    println(ctx.stdout, topLevelUsage());
    return EXIT_OK;
  }
  const resolved = resolveCommand(argv);
  if (!resolved) {
    const what =
      first === undefined
        ? 'missing command'
        : first === 'providers'
          ? `unknown providers subcommand '${argv[1] ?? ''}' (get, create)`
          : `unknown command '${first}'`;
    println(ctx.stderr, `customer-sync: ${what}\n\n${topLevelUsage()}`);
    return EXIT_USAGE;
  }
  const json = resolved.rest.includes('--json');
  try {
    const command = await resolved.entry.load();
    return await command.run(resolved.rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      println(
        ctx.stderr,
        `customer-sync ${resolved.entry.name}: ${error.message}\n\n${await usageOf(resolved.entry)}`,
      );
      return EXIT_USAGE;
    }
    if (json) println(ctx.stderr, JSON.stringify({ error: summarizeError(error) }));
    else println(ctx.stderr, formatError(error));
    return EXIT_FAILURE;
  }
}

async function usageOf(entry: CommandEntry): Promise<string> {
  return (await entry.load()).usage;
}
