/**
 * `customer-sync start` (`npm start`): runs the local stack until Ctrl-C, and leaves a note in
 * `<LOCAL_DATA_DIR>/stack.json` of where its parts listen, so the other commands, run from another
 * terminal, find the API, DynamoDB Local and the sandboxes without configuration.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type LocalStackInfo, LocalStackInfoSchema, localStackFilePath } from '../../config/cli.ts';
import { loadLocalConfig } from '../../config/local.ts';
import type { ProviderName } from '../../customer/snapshot.ts';
import { startLocalStack } from '../../local/start.ts';
import { COMMON_OPTIONS, expectPositionals, parseCommandArgs } from '../args.ts';
import { defineCommand } from '../command.ts';
import { println } from '../context.ts';
import { EXIT_OK } from '../errors.ts';

const NAME = 'start';

export const startCommand = defineCommand({
  usage: `Usage: customer-sync start [--json]

Runs customer-sync on this machine: DynamoDB Local, the four provider sandboxes (seeded with demo
customers), the API on http://127.0.0.1:3000 in front of the real handlers, the sync queue, worker
and schedules. Prints the API URL and key; Ctrl-C stops everything. No AWS account or provider
credentials needed. The other commands find the running stack by themselves.

Configuration (all optional): PORT, HOST, LOCAL_API_KEY, LOCAL_DATA_DIR (default .local), LOCAL_SEED,
LOCAL_SYNC_INTERVAL_SECONDS, LOCAL_HANDLER_LOGS, LOCAL_BACKFILL, DYNAMODB_ENDPOINT,
<PROVIDER>_BASE_URL (+ credentials) to use a real provider instead of its sandbox. See lib/config/local.ts.

Options:
  --json      Print one JSON line with the URLs and the key once the stack is up (for scripts).
  -h, --help  Show this help.

Example:
  npm start`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, { ...COMMON_OPTIONS });
    expectPositionals(NAME, positionals, []);
    const local = loadLocalConfig(ctx.env, ctx.cwd);
    const stack = await startLocalStack({
      config: { env: local.env, dataDir: local.dataDir },
      // With --json stdout carries only the JSON line; the banner and request log go to stderr.
      print: (line) => println(values.json ? ctx.stderr : ctx.stdout, line),
    });
    const sandboxes: Partial<Record<ProviderName, string>> = {};
    for (const sandbox of Object.values(stack.sandboxes)) sandboxes[sandbox.provider] = sandbox.url;
    const info: LocalStackInfo = LocalStackInfoSchema.parse({
      pid: process.pid,
      apiUrl: stack.url,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tableName: stack.tableName,
      region: local.region,
      sandboxes,
    });
    const infoPath = localStackFilePath(ctx.env, ctx.cwd);
    await mkdir(dirname(infoPath), { recursive: true });
    await writeFile(infoPath, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    if (values.json) println(ctx.stdout, JSON.stringify({ ...info, apiKey: stack.apiKey }));

    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      else ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
    println(values.json ? ctx.stderr : ctx.stdout, 'Stopping (Ctrl-C again to force)…');
    await rm(infoPath, { force: true });
    await stack.stop();
    return EXIT_OK;
  },
});
