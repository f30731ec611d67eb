/**
 * The argument for scale beyond one machine: from the per-customer costs this run measured, what a
 * deployment needs to refresh 10 million customers per day across the four providers, and what the
 * CDK stage config has to say for it. Numbers that a laptop cannot measure (a real provider's latency,
 * DynamoDB's latency from Lambda, Lambda's CPU share) are stated assumptions, named as such.
 */
import { intervalSeconds, STAGES, type StageConfig } from '../../infra/stages.ts';
import { PROVIDERS } from '../../lib/customer/snapshot.ts';
import { TABLE } from '../../lib/store/table.ts';
import { DUE_LOOKBACK_RUNS } from '../../lib/sync/schedule.ts';

export interface ScaleInputs {
  /** CPU ms of the worker per customer: first sync (changed) and re-sync (unchanged). */
  changedCpuMs?: number | undefined;
  unchangedCpuMs?: number | undefined;
  changedWcu?: number | undefined;
  unchangedWcu?: number | undefined;
  changedRcu?: number | undefined;
  unchangedRcu?: number | undefined;
  changedDynamoCalls?: number | undefined;
  /** Benchmark 3: accepted rate / provider limit with the client limiter. */
  rateLimitEfficiency?: number | undefined;
  /** Benchmark 6: due links planned per second (large run). */
  planLinksPerSecond?: number | undefined;
  /** Benchmark 6: links examined per second, and read units per link, by a run with nothing due. */
  idleLinksPerSecond?: number | undefined;
  idleRcuPerLink?: number | undefined;
  dueRcuPerLink?: number | undefined;
  /** Benchmark 6: read units per link of the provider of one run on slots (daily refreshes, prod's runs). */
  slotRcuPerLinkPerRun?: number | undefined;
  /** Benchmark 6: peak RSS large / small. */
  schedulerMemoryRatio?: number | undefined;
}

export const SCALE_ASSUMPTIONS = {
  customersPerDay: 10_000_000,
  /** Share of daily refreshes that find a changed customer (most find none). */
  changedShare: 0.1,
  /** A real provider API's GET from AWS, including TLS reuse; the sandboxes answer in about 1 ms. */
  providerLatencyMs: 200,
  /** One DynamoDB call from Lambda in the same region. */
  dynamoLatencyMs: 8,
  /** Lambda's CPU share at 512 MB (1,769 MB = one vCPU). */
  lambdaVcpu: 512 / 1769,
  /** Room for retries, webhook-triggered refreshes, creates and backfill listing. */
  headroom: 1.25,
  /** Peak over average of the refresh load, with due times spread by the schedule's jitter. */
  peakFactor: 1.5,
  /** A write unit's on-demand price in read units (DynamoDB pricing: five times). */
  writeUnitInReadUnits: 5,
} as const;

/** Each of the customers refreshed once a day: `refreshEvery: days(1)`. */
export const SCALE_REFRESH_SECONDS = 86_400;

/** "5 minutes", "1 hour", "1 day". */
function duration(seconds: number): string {
  const [value, unit] =
    seconds % 86_400 === 0
      ? [seconds / 86_400, 'day']
      : seconds % 3600 === 0
        ? [seconds / 3600, 'hour']
        : [seconds / 60, 'minute'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export function scaleSection(inputs: ScaleInputs, prod: StageConfig = STAGES.prod): string {
  const a = SCALE_ASSUMPTIONS;
  const providers = PROVIDERS.length;
  const perProviderPerDay = a.customersPerDay / providers;
  const perProviderRate = perProviderPerDay / 86_400;
  const totalRate = a.customersPerDay / 86_400;
  const mix = (changed: number | undefined, unchanged: number | undefined) =>
    changed === undefined || unchanged === undefined
      ? Number.NaN
      : a.changedShare * changed + (1 - a.changedShare) * unchanged;
  const cpuMs = mix(inputs.changedCpuMs, inputs.unchangedCpuMs);
  const wcu = mix(inputs.changedWcu, inputs.unchangedWcu);
  const rcu = mix(inputs.changedRcu, inputs.unchangedRcu);
  const calls = inputs.changedDynamoCalls ?? 4;
  const efficiency = Math.min(1, inputs.rateLimitEfficiency ?? 0.9);

  const requiredRps = Math.ceil((perProviderRate * a.headroom) / efficiency);
  const wallMs = a.providerLatencyMs + calls * a.dynamoLatencyMs + cpuMs / a.lambdaVcpu;
  const inFlight = perProviderRate * a.headroom * (wallMs / 1000);
  const batch = prod.sync.workerBatchSize;
  const cpuPerInstance = (1000 * a.lambdaVcpu) / cpuMs;
  const workers = Math.max(
    2,
    Math.ceil(inFlight / batch),
    Math.ceil((perProviderRate * a.headroom) / cpuPerInstance),
  );
  const wcuPerSecond = (a.customersPerDay * wcu) / 86_400;
  const rcuPerSecond = (a.customersPerDay * rcu) / 86_400;
  // Due runs as often as prod's today; with daily refreshes, links are then due on their slots.
  const dueRunSeconds = intervalSeconds(prod.providers.mollie.syncEvery);
  const lookbackSeconds = DUE_LOOKBACK_RUNS * dueRunSeconds;
  const slotted = SCALE_REFRESH_SECONDS > lookbackSeconds;
  const linksPerRun = perProviderPerDay * (dueRunSeconds / SCALE_REFRESH_SECONDS);
  const planSeconds = linksPerRun / (inputs.planLinksPerSecond ?? Number.NaN);

  const idleRate = inputs.idleLinksPerSecond ?? Number.NaN;
  const idleRcu = inputs.idleRcuPerLink ?? Number.NaN;
  // A run that reads (nearly) as much when nothing is due as when everything is examines every link.
  const examinesAll =
    inputs.idleRcuPerLink !== undefined &&
    inputs.dueRcuPerLink !== undefined &&
    inputs.idleRcuPerLink >= 0.5 * inputs.dueRcuPerLink;
  const fullPassMinutes = perProviderPerDay / idleRate / 60;
  const shardRunMinutes = fullPassMinutes / TABLE.dueShards;
  const writeUnitsPerDay = a.customersPerDay * wcu;
  /** Read units a day of planning that examines each link `timesADay` times, and their price in writes. */
  const planReads = (timesADay: number) => providers * perProviderPerDay * timesADay * idleRcu;
  const priced = (reads: number) => fmt((reads / (writeUnitsPerDay * a.writeUnitInReadUnits)) * 100);
  const everyLinkReads = planReads(86_400 / dueRunSeconds);
  // Measured by benchmark 6's run on slots where it ran; else from its cost per link examined.
  const slotMeasured = inputs.slotRcuPerLinkPerRun !== undefined;
  const slotReads = slotMeasured
    ? providers * perProviderPerDay * (inputs.slotRcuPerLinkPerRun ?? 0) * (86_400 / dueRunSeconds)
    : planReads(DUE_LOOKBACK_RUNS * (86_400 / SCALE_REFRESH_SECONDS));
  const plannedReads = slotted ? slotReads : everyLinkReads;
  const examinedPerRun = slotted
    ? perProviderPerDay * (lookbackSeconds / SCALE_REFRESH_SECONDS)
    : perProviderPerDay;
  const memory =
    inputs.schedulerMemoryRatio === undefined
      ? 'memory not measured'
      : `peak memory ${fmt(inputs.schedulerMemoryRatio, 2)}× between 10× the links`;
  const schedulerLines = examinesAll
    ? [
        `Each link is refreshed once a day (\`refreshEvery: days(1)\`), and due runs come every ${duration(dueRunSeconds)} (\`syncEvery\`, prod's today). A due run that plans every link reads each one whatever is due: in benchmark 6 a run with nothing due still examined all its links, at ${fmt(idleRate)} links/s and ${fmt(idleRcu, 3)} RCU per link (${memory}). Every ${duration(dueRunSeconds)}, that would be ${fmt(everyLinkReads / 1e9, 2)} billion RCU a day (${fmt(everyLinkReads / 86_400)} RCU/s), ${priced(everyLinkReads)} % of the price of the refreshes' own ${fmt(writeUnitsPerDay / 1e6, 1)} million write units (on demand a write unit costs ${a.writeUnitInReadUnits} read units).`,
        '',
        slotted
          ? `So links are due on their slots (lib/sync/schedule.ts). Where the refresh interval is more than ${DUE_LOOKBACK_RUNS} due runs long, a success makes a link due on a fixed point of the day (its slot, from a hash of its id, spread evenly over links), and a run plans only the slots of its last ${DUE_LOOKBACK_RUNS} periods (${duration(lookbackSeconds)} of the day, ${fmt((lookbackSeconds / SCALE_REFRESH_SECONDS) * 100, 1)} % of the links) plus the links the due index holds by due time (new, pending and failing ones). Each link is examined ${DUE_LOOKBACK_RUNS} times a day instead of ${fmt(86_400 / dueRunSeconds)}: **${fmt(slotReads / 1e6, 1)} million RCU a day** (${fmt(slotReads / 86_400)} RCU/s), ${priced(slotReads)} % of the price of the writes. ${slotMeasured ? `From benchmark 6's run on slots (${fmt(inputs.slotRcuPerLinkPerRun ?? Number.NaN, 4)} RCU per link of the provider and run, same interval and period)` : "Computed from benchmark 6's cost per examined link, not measured as a run on slots"}; test/integration/sync/slot-runs.test.ts checks on DynamoDB Local that a run on slots reads its slots' links and no other. The price of slots: a link synced out of turn (by a webhook) is next due on its slot, at least half a day later; a failing link is retried on its backoff as before; a due run lost ${DUE_LOOKBACK_RUNS} times in a row leaves its slots' links for the next day (the scheduler-failure alarm fires first).`
          : `With runs at least a third of the refresh interval apart, links are not put on slots: every run reads every link, ${fmt(everyLinkReads / 1e6)} million RCU a day.`,
        '',
        `Each run enqueues about ${fmt(linksPerRun)} due links per provider and examines ${fmt(examinedPerRun)}. Runs are split by shard and bounded in time: infra schedules one due run per provider per due-index shard (${TABLE.dueShards} per provider, event \`{ provider, mode: 'due', shard }\`), each walking only its shard (\`listDueLinks({ shards: [n] })\`). A pass over every link of a provider (what runs without slots do, and the CLI's \`sync\` and the local runtime) takes ${fmt(fullPassMinutes, 1)} minutes at ${fmt(perProviderPerDay)} links, ${fmt(shardRunMinutes, 1)} minutes per shard's run${shardRunMinutes * 60 > 280 ? ", more than the scheduler function's 5-minute timeout: add shards" : ", inside the scheduler function's 5-minute timeout"}. Each run also has a time budget (the Lambda's remaining time less 20 s): when it runs out, the run stops paging and reports \`truncated: true\` and the metric \`SchedulerRunsTruncated\`; the links it did not reach stay due and a later run lists them, so nothing is lost.`,
      ]
    : [
        `With a due run every ${duration(dueRunSeconds)}, each run plans ${fmt(linksPerRun)} links per provider; at the ${fmt(inputs.planLinksPerSecond ?? Number.NaN)} links/s measured on DynamoDB Local (benchmark 6) that is ${fmt(planSeconds, 1)} s per run, far inside the scheduler's 5-minute timeout (${memory}). A run every day over all ${fmt(perProviderPerDay)} links would not be: it would take ${fmt(perProviderPerDay / (inputs.planLinksPerSecond ?? Number.NaN) / 60, 0)} minutes and enqueue the whole day at once.`,
      ];

  const currentRows = PROVIDERS.map((provider) => {
    const config = prod.providers[provider];
    if (!config.enabled) return `| ${provider} | disabled in prod | - | ${fmt(requiredRps)} requests/s |`;
    const perDay = config.rateLimit.requestsPerSecond * 86_400 * efficiency;
    return `| ${provider} | ${config.rateLimit.requestsPerSecond} requests/s, ${config.workerMaxConcurrency} workers | ${fmt(perDay)} customers/day | ${fmt(requiredRps)} requests/s |`;
  });

  return [
    '## Scale: 10 million customers a day',
    '',
    'Not a run: an argument from the per-customer costs measured above. Assumptions (a laptop cannot measure them) are marked *assumed*.',
    '',
    `- Load: ${fmt(a.customersPerDay)} refreshes a day, split evenly over the ${providers} providers (*assumed*): ${fmt(perProviderPerDay)} per provider a day, **${fmt(perProviderRate, 1)} per second per provider**, ${fmt(totalRate, 1)} per second in all. Each refresh is one provider GET (Delos adds a login per token lifetime, negligible). ${fmt(a.changedShare * 100)} % of refreshes find a change (*assumed*); the rest are unchanged re-syncs.`,
    `- Measured per customer (benchmarks 1 and 2): worker CPU ${fmt(inputs.changedCpuMs ?? Number.NaN, 2)} ms changed / ${fmt(inputs.unchangedCpuMs ?? Number.NaN, 2)} ms unchanged on this machine; ${fmt(inputs.changedWcu ?? Number.NaN, 1)} WCU changed / ${fmt(inputs.unchangedWcu ?? Number.NaN, 1)} WCU unchanged; ${fmt(inputs.changedRcu ?? Number.NaN, 1)} / ${fmt(inputs.unchangedRcu ?? Number.NaN, 1)} RCU; ${fmt(calls, 1)} DynamoDB calls for a first snapshot (a share of its SQS batch's read and two writes; a later change adds a GetItem of the replaced snapshot and its history PutItem). Mixed: **${fmt(cpuMs, 2)} ms CPU, ${fmt(wcu, 2)} WCU, ${fmt(rcu, 2)} RCU per refresh**.`,
    '',
    '### Provider rate limits: the binding constraint',
    '',
    `Each provider must accept ${fmt(perProviderRate, 1)} GETs per second on average; with ${fmt((a.headroom - 1) * 100)} % headroom for retries, webhook refreshes, creates and backfills (*assumed*) and the ${fmt(efficiency * 100)} % of a limit the token bucket reached in benchmark 3, **each provider's limit must be at least ${fmt(requiredRps)} requests per second**. None of the four publishes a customer-API limit (Mollie's are dynamic), so this is a number to agree with each provider before launch. At today's prod config the deployment refreshes far fewer:`,
    '',
    '| provider | prod config today (infra/stages.ts) | refreshes a day at that limit | needed for 10 M a day |',
    '|---|---|---|---|',
    ...currentRows,
    '',
    'Everything else below scales out by configuration; the provider limits do not.',
    '',
    '### Lambda concurrency',
    '',
    `Per provider, Little's law: in flight = rate × time per message. Time per message ≈ provider latency ${a.providerLatencyMs} ms (*assumed*) + ${fmt(calls, 0)} DynamoDB calls × ${a.dynamoLatencyMs} ms (*assumed*) + ${fmt(cpuMs, 2)} ms CPU ÷ ${fmt(a.lambdaVcpu, 2)} vCPU at 512 MB = **${fmt(wallMs)} ms**. With headroom: ${fmt(inFlight, 1)} messages in flight per provider. A worker invocation processes its batch of ${batch} in parallel, so that is ${fmt(Math.ceil(inFlight / batch))} invocation(s); CPU-wise one 512 MB instance handles ${fmt(cpuPerInstance)} refreshes a second. **workerMaxConcurrency = ${workers} per provider** (SQS event sources need at least 2) covers it, ${workers * providers} worker instances in all, plus one scheduler invocation per provider and due-index shard every ${duration(dueRunSeconds)}. The per-instance token bucket gets requestsPerSecond ÷ workerMaxConcurrency (infra/stages.ts \`perWorkerRateLimit\`), so raising concurrency never raises the provider load.`,
    '',
    '### SQS',
    '',
    `${fmt(a.customersPerDay)} messages a day, ${fmt(totalRate, 1)} a second on average (${fmt(totalRate * a.peakFactor)} at a ${a.peakFactor}× peak, *assumed*): the scheduler sends them with SendMessageBatch (10 per call, about ${fmt((totalRate * a.peakFactor) / 10)} calls a second at peak) and the event source receives and deletes in batches of ${batch}. Standard queues have no practical throughput limit at this rate; the queue per provider keeps a slow provider's backlog to itself. Retention (4 days) far exceeds a day's backlog.`,
    '',
    '### DynamoDB',
    '',
    `${fmt(wcuPerSecond)} WCU/s and ${fmt(rcuPerSecond)} RCU/s on average (${fmt(wcuPerSecond * a.peakFactor)} / ${fmt(rcuPerSecond * a.peakFactor)} at peak); ${fmt((a.customersPerDay * wcu) / 1e6, 1)} million write units and ${fmt((a.customersPerDay * rcu) / 1e6, 1)} million read units a day. On-demand (the table's billing mode, lib/store/table.ts) absorbs this without configuration (its default per-table maximum is 40,000 WCU/s); of these refreshes' write units, ${fmt(((a.changedShare * (inputs.changedWcu ?? Number.NaN)) / wcu) * 100)} % go to the ${fmt(a.changedShare * 100)} % that change (link, history, sync state, index upkeep) and the rest to unchanged re-syncs (benchmark 2)${examinesAll ? "; the scheduler's reads come on top (next section)" : ''}. History grows by ${fmt(a.customersPerDay * a.changedShare)} items a day and expires by TTL after \`historyRetentionDays\` (${prod.historyRetentionDays} in prod).`,
    '',
    '### The scheduler',
    '',
    ...schedulerLines,
    '',
    '### What `infra/stages.ts` must set (prod)',
    '',
    `- \`providers.<p>.rateLimit.requestsPerSecond\` ≥ ${requiredRps} for every provider (and \`burst\` no larger than what the provider tolerates), once each provider has agreed to it; today's 5–10 caps the deployment at the figures in the table above.`,
    `- \`providers.<p>.workerMaxConcurrency\` ≥ ${workers} (today: ${PROVIDERS.map((p) => `${p} ${prod.providers[p].workerMaxConcurrency}`).join(', ')}${PROVIDERS.every((p) => prod.providers[p].workerMaxConcurrency >= workers) ? ': enough' : ': raise the ones below'}). More adds nothing while the provider limit binds.`,
    `- \`providers.delos.enabled: true\` with the production \`baseUrl\` (today Delos is disabled in prod, so 10 M across four providers is not possible at all).`,
    `- \`providers.<p>.refreshEvery: days(1)\`: today it is ${duration(intervalSeconds(prod.providers.mollie.refreshEvery))}, so each link is refreshed every ${duration(intervalSeconds(prod.providers.mollie.refreshEvery))} and ${fmt(perProviderPerDay)} links per provider would need ${fmt(perProviderPerDay / intervalSeconds(prod.providers.mollie.refreshEvery))} refreshes a second. \`syncEvery\` can stay at ${duration(dueRunSeconds)}${slotted ? ': with slots, frequent runs cost no more reads (the scheduler section)' : ''}.`,
    ...(examinesAll
      ? [
          `- Nothing more for the due runs: one schedule per due-index shard with a time budget is in place (infra/constructs/sync.ts)${slotted ? `; every ${duration(dueRunSeconds)} with slots, they read ${fmt(plannedReads / 1e6, 1)} million RCU a day (the scheduler section)` : ''}.`,
        ]
      : []),
    '- Nothing for SQS or DynamoDB beyond what the stack sets today (standard queues, on-demand table).',
    '',
  ].join('\n');
}
