import { loadCliSyncConfig } from '../../config/cli.ts';
import { loadProviderConfigs } from '../../config/providers.ts';
import { createAdapters } from '../../providers/registry.ts';
import { createDynamoClients } from '../../store/client.ts';
import { CustomerStore } from '../../store/customer-store.ts';
import { DueLinkReader } from '../../store/due-links.ts';
import { systemClock } from '../../sync/clock.ts';
import { SyncMetricsRecorder } from '../../sync/metrics.ts';
import { createSyncSchedule } from '../../sync/schedule.ts';
import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parsePositiveInt,
  parseProvider,
} from '../args.ts';
import { defineCommand } from '../command.ts';
import { printJson, println } from '../context.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';
import { table } from '../format.ts';
import { createProgress } from '../progress.ts';
import { type ProviderSyncSummary, runSyncPass } from '../sync-pass.ts';

const NAME = 'sync';

export const syncCommand = defineCommand({
  usage: `Usage: customer-sync sync [--provider p] [--all] [--backfill] [--concurrency n] [--json]

Runs one sync pass now, in this process, as the scheduler and workers do in AWS: finds the links due
in the store, refreshes each from its provider and stores what changed. Prints fetched, changed,
unchanged and failed per provider; exits 1 if any link failed (failures are also recorded on the
link and retried by the scheduler with backoff).

Options:
  --provider p      Only this provider (default: every enabled provider).
  --all             Refresh every link now, due or not.
  --backfill        First list every customer at the provider and import the unknown ones.
  --concurrency n   Links refreshed in parallel, 1-64 (default 8); the adapters' rate limits apply.
  --json            Print the per-provider summary as JSON.
  -h, --help        Show this help.

Configuration: TABLE_NAME, DYNAMODB_ENDPOINT, AWS_REGION (default: the local stack's table), the
provider variables of lib/config/providers.ts (default locally: the sandboxes), ENABLED_PROVIDERS,
SYNC_INTERVAL_SECONDS. See docs/cli.md.

Example:
  customer-sync sync --provider mollie --concurrency 4`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...COMMON_OPTIONS,
      provider: { type: 'string' },
      backfill: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
    });
    expectPositionals(NAME, positionals, []);
    const only =
      values.provider === undefined ? undefined : parseProvider(NAME, values.provider, '--provider');
    const concurrency = parsePositiveInt(NAME, '--concurrency', values.concurrency, 8, 64);

    const config = loadCliSyncConfig(ctx.env, { cwd: ctx.cwd });
    const providers = only ? [only] : config.runtime.enabledProviders;
    const adapters = createAdapters(await loadProviderConfigs(config.providerEnv, { providers }));
    const { client, doc } = createDynamoClients({
      region: config.runtime.store.region,
      endpoint: config.runtime.store.endpoint,
    });
    const store = new CustomerStore({
      doc,
      tableName: config.runtime.store.tableName,
      historyRetentionDays: config.runtime.store.historyRetentionDays,
    });
    const progress = createProgress({
      label: 'sync',
      total: 0,
      terminal: values.json ? null : (ctx.terminal ?? null),
      stream: ctx.stderr,
    });
    let summaries: ProviderSyncSummary[];
    try {
      summaries = await runSyncPass(
        {
          store,
          dueLinks: new DueLinkReader({ doc, tableName: config.runtime.store.tableName }),
          adapters,
          clock: systemClock,
          schedule: createSyncSchedule({
            intervalSeconds: config.runtime.sync.intervalSeconds,
            retryBaseSeconds: config.runtime.sync.retryBaseSeconds,
            maxBackoffSeconds: config.runtime.sync.maxBackoffSeconds,
          }),
          metrics: new SyncMetricsRecorder(),
          pageSize: config.runtime.sync.pageSize,
          createLeaseSeconds: config.runtime.sync.createLeaseSeconds,
        },
        { providers, backfill: values.backfill, all: values.all, concurrency, progress, signal: ctx.signal },
      );
    } finally {
      progress.stop();
      client.destroy();
    }
    const interrupted = ctx.signal.aborted;
    if (values.json) printJson(ctx.stdout, { providers: summaries, interrupted });
    else println(ctx.stdout, formatSyncSummary(summaries, values.backfill, interrupted));
    return interrupted || summaries.some((summary) => summary.failed > 0) ? EXIT_FAILURE : EXIT_OK;
  },
});

export function formatSyncSummary(
  summaries: ProviderSyncSummary[],
  backfill: boolean,
  interrupted: boolean,
): string {
  const headers = [
    'PROVIDER',
    'DUE',
    'FETCHED',
    'CHANGED',
    'UNCHANGED',
    'STALE',
    'GONE',
    'CREATED',
    'FAILED',
  ];
  if (backfill) headers.push('SCANNED', 'IMPORTED');
  const rows = summaries.map((s) => {
    const row = [
      s.provider,
      s.due,
      s.fetched,
      s.changed,
      s.unchanged,
      s.stale,
      s.gone,
      s.created,
      s.failed,
    ].map(String);
    if (backfill) row.push(String(s.scanned ?? 0), String(s.imported ?? 0));
    return row;
  });
  const lines = [summaries.length === 0 ? 'No providers to sync.' : table(headers, rows)];
  const errors = summaries.flatMap((s) =>
    Object.entries(s.errors).map(([type, count]) => `  ${s.provider}: ${count} × ${type}`),
  );
  if (errors.length > 0)
    lines.push('', 'Failures (recorded on each link; retried by the scheduler):', ...errors);
  if (interrupted) lines.push('', 'Interrupted: links not reached stay due for the next run.');
  return lines.join('\n');
}
