/**
 * Benchmark 4: the read path. `GET /customers/{id}` through the read-api handler against the bare
 * DynamoDB Query that fetches the same items, in one process (a child: see read-api-host.ts), then
 * requests/s and p99 over real HTTP on the local gateway at 16 connections (autocannon, from this
 * process so the load generator does not share the server's event loop).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ulid } from 'ulid';
import type { CustomerSnapshot } from '../../lib/customer/snapshot.ts';
import { PROVIDERS } from '../../lib/customer/snapshot.ts';
import { inputFromSnapshot } from '../../lib/sync/scheduler.ts';
import { type BenchEnvironment, REGION, trackChild, untrackChild } from '../lib/environment.ts';
import { log } from '../lib/log.ts';
import { runPool } from '../lib/pool.ts';
import { benchRuntimeConfig, benchStore, buildAdapters, providerEnv } from '../lib/product.ts';
import { type ReadHostArgs, type ReadHostMessage, ReadHostMessageSchema } from '../lib/read-host-protocol.ts';
import { type BenchmarkReport, check, shortfall } from '../lib/report.ts';
import { sandboxCustomerIds } from '../lib/seed.ts';
import { formatBytes, formatMs, summarize } from '../lib/stats.ts';

export const READ_SIZES = {
  full: { customers: 1000, warmup: 300, samples: 3000, seconds: 10 },
  quick: { customers: 100, warmup: 100, samples: 300, seconds: 3 },
} as const;

const API_KEY = 'bench-read-key';
const CONNECTIONS = 16;

type Measured = Extract<ReadHostMessage, { type: 'measured' }>;

function startHost(args: ReadHostArgs): { child: ChildProcess; measured: Promise<Measured> } {
  const script = fileURLToPath(new URL('../children/read-api-host.ts', import.meta.url));
  // stdout ignored: the function's EMF metric lines, one per invocation; stderr kept for crashes.
  const child = fork(script, [JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  trackChild(child.pid);
  const measured = new Promise<Measured>((resolve, reject) => {
    child.on('message', (raw: unknown) => {
      const message = ReadHostMessageSchema.safeParse(raw);
      if (!message.success) return reject(new Error('read-api host sent an unexpected message'));
      if (message.data.type === 'progress') log('read-path', message.data.message);
      else if (message.data.type === 'error') reject(new Error(`read-api host: ${message.data.message}`));
      else resolve(message.data);
    });
    child.once('exit', (code) => reject(new Error(`read-api host exited with ${code}`)));
  });
  return { child, measured };
}

export async function runReadPathBenchmark(
  env: BenchEnvironment,
  options: { quick: boolean },
): Promise<BenchmarkReport> {
  const phase = 'read-path';
  const sizes = options.quick ? READ_SIZES.quick : READ_SIZES.full;
  const table = await env.createTable('read');
  const config = benchRuntimeConfig(table, env.dynamo.endpoint);
  const store = benchStore(table, config);

  log(
    phase,
    `seeding ${sizes.customers} customers, each linked at all four providers with a fetched snapshot`,
  );
  const adapters = await buildAdapters(
    providerEnv(env.sandboxes, () => 'off'),
    PROVIDERS,
  );
  const snapshotsByProvider = new Map<string, CustomerSnapshot[]>();
  for (const provider of PROVIDERS) {
    const adapter = adapters[provider];
    if (!adapter) throw new Error(`no ${provider} adapter`);
    const ids = (await sandboxCustomerIds(env.sandboxes[provider].control)).slice(0, sizes.customers);
    const snapshots: CustomerSnapshot[] = [];
    await runPool(ids, 16, async (id) => {
      snapshots.push(await adapter.getCustomer(id));
    });
    snapshotsByProvider.set(provider, snapshots);
  }
  const now = new Date().toISOString();
  const customers = Array.from({ length: sizes.customers }, (_, index) => {
    const snapshots = PROVIDERS.flatMap((provider) => {
      const snapshot = snapshotsByProvider.get(provider)?.[index];
      return snapshot ? [snapshot] : [];
    });
    const first = snapshots[0];
    if (!first) throw new Error('no snapshot to build a customer from');
    return {
      customerId: ulid(),
      input: inputFromSnapshot(first, `bench-read-${index}`),
      snapshots,
      nextDueAt: now,
    };
  });
  await store.importCustomers(customers, now, { concurrency: 8 });

  const { child, measured } = startHost({
    endpoint: env.dynamo.endpoint,
    region: REGION,
    tableName: table.tableName,
    historyRetentionDays: config.store.historyRetentionDays,
    metricsNamespace: config.metricsNamespace,
    apiKey: API_KEY,
    ids: customers.map((customer) => customer.customerId),
    warmup: sizes.warmup,
    samples: sizes.samples,
  });
  try {
    log(
      phase,
      `in process: handler vs bare Query, ${sizes.warmup} warm-up + ${sizes.samples} measured pairs`,
    );
    const inProcess = await measured;
    if (inProcess.non200 > 0) throw new Error(`${inProcess.non200} handler calls did not answer 200`);

    const ids = customers.map((customer) => customer.customerId);
    let next = 0;
    const load = (seconds: number) =>
      autocannon({
        url: inProcess.gatewayUrl,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { 'x-api-key': API_KEY },
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => ({ ...request, path: `/customers/${ids[next++ % ids.length] ?? ''}` }),
          },
        ],
      });
    log(phase, `HTTP: 1 s warm-up, then ${sizes.seconds} s at ${CONNECTIONS} connections (autocannon)`);
    await load(1);
    const http = await load(sizes.seconds);
    return report({ sizes, inProcess, http });
  } finally {
    if (child.connected) child.send({ type: 'stop' });
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    untrackChild(child.pid);
    await table.drop();
  }
}

function report(args: {
  sizes: (typeof READ_SIZES)[keyof typeof READ_SIZES];
  inProcess: Measured;
  http: autocannon.Result;
}): BenchmarkReport {
  const { sizes, inProcess, http } = args;
  const handler = summarize(inProcess.handlerMs);
  const bare = summarize(inProcess.bareMs);
  const c = check('handler p50 / bare Query p50', handler.p50 / bare.p50, '<=', 1.3);
  const notes: string[] = [];
  if (!c.met) {
    notes.push(
      `**Target missed** (${shortfall(c)}): the handler adds ${formatMs(handler.p50 - bare.p50)} at p50 to the ` +
        `${formatMs(bare.p50)} Query: the document client's unmarshalling, zod parsing of every item (profile, links ` +
        'with full snapshots, sync states), building the view and serializing ' +
        `${formatBytes(inProcess.responseBytes)} of JSON, plus middy and the Powertools middlewares (logger context, ` +
        'one EMF metrics line per request). On DynamoDB Local the Query itself is short; in AWS (a few ms per Query ' +
        'from Lambda) the same absolute overhead is a smaller ratio. Next step: profile the handler (`--cpu-prof`) ' +
        'and parse stored items with a lighter check than the full snapshot schema on the read path.',
    );
  }
  return {
    id: 'read-path',
    title: '4. Read path',
    setup: [
      `${sizes.customers} customers, each linked at all four providers (profile, 4 links with a snapshot fetched from the sandboxes, 4 sync states: ${inProcess.bareItems.toFixed(0)} items per read), imported with batch writes`,
      'handler: `createReadApiHandler` wired as the deployed function (Powertools logger, metrics, tracer); events built by the local gateway from real HTTP requests; bare: one `Query` (low-level client, same connection pool) for the same key range the store reads',
      `in process, one child process: ${sizes.warmup} warm-up + ${sizes.samples} measured pairs, handler and bare Query alternating which goes first, sequential`,
      `over HTTP: local gateway (x-api-key checked) in that child, autocannon from the parent, ${CONNECTIONS} connections, 1 s warm-up then ${sizes.seconds} s, customers in rotation`,
    ],
    figures: [
      { label: 'handler p50 / p99', value: `${formatMs(handler.p50)} / ${formatMs(handler.p99)}` },
      { label: 'bare Query p50 / p99', value: `${formatMs(bare.p50)} / ${formatMs(bare.p99)}` },
      { label: 'p99 ratio', value: `${(handler.p99 / bare.p99).toFixed(2)}×` },
      { label: 'response size', value: formatBytes(inProcess.responseBytes) },
      {
        label: `HTTP at ${CONNECTIONS} connections`,
        value: `${http.requests.average.toFixed(0)} requests/s, latency p50 ${formatMs(http.latency.p50)}, p99 ${formatMs(http.latency.p99)} (${http['2xx']} 2xx, ${http.non2xx} other, ${http.errors} errors)`,
      },
    ],
    checks: [c],
    notes,
    data: {
      handlerP50Ms: handler.p50,
      bareP50Ms: bare.p50,
      httpRps: http.requests.average,
      httpP99Ms: http.latency.p99,
    },
  };
}
