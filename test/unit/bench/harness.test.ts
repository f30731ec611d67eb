import { execFileSync } from 'node:child_process';
import { parseArgs } from '../../../bench/lib/args.ts';
import { capturingDeps, requestFor } from '../../../bench/lib/bare-http.ts';
import { lambdaHeapFlags } from '../../../bench/lib/lambda-heap.ts';
import { runPool } from '../../../bench/lib/pool.ts';
import { check, consoleTable, resultsJson, shortfall } from '../../../bench/lib/report.ts';
import { scaleSection } from '../../../bench/lib/scale.ts';
import { percentile, summarize } from '../../../bench/lib/stats.ts';

describe('bench stats', () => {
  it('takes nearest-rank percentiles of the sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    const summary = summarize([5, 1, 4, 2, 3]);
    expect(summary).toMatchObject({ count: 5, min: 1, p50: 3, max: 5, mean: 3 });
  });
});

describe('bench checks', () => {
  it('compares in the direction of the target and says by how much a miss is', () => {
    const low = check('rate', 0.6, '>=', 0.8);
    expect(low.met).toBe(false);
    expect(shortfall(low)).toBe('missed by 25 %');
    const high = check('ratio', 1.5, '<=', 1.3);
    expect(high.met).toBe(false);
    expect(shortfall(high)).toBe('missed by 15 %');
    // A miss under 1 % still says by how much, not "0 %".
    expect(shortfall(check('ratio', 0.7004, '<=', 0.7))).toBe('missed by 0.06 %');
    expect(check('ok', 0.9, '>=', 0.8).met).toBe(true);
  });

  it('never counts an unmeasured value as met', () => {
    expect(check('nan', Number.NaN, '<=', 1).met).toBe(false);
  });

  it('renders a crashed benchmark as an error row and keeps it in the JSON', () => {
    const reports = [
      { id: 'a', title: 'A', setup: [], figures: [], notes: [], checks: [check('x', 1, '<=', 2)] },
      { id: 'b', title: 'B', setup: [], figures: [], notes: [], checks: [], error: 'Error: boom' },
    ];
    const table = consoleTable(reports);
    expect(table).toContain('met');
    expect(table).toContain('ERROR');
    const machine = {
      cpuModel: 'cpu',
      cores: 2,
      memoryBytes: 1,
      node: 'v24',
      os: 'linux',
      loadAverageAtStart: 0,
    };
    const json = resultsJson(
      {
        mode: 'quick',
        date: '2026-01-01T00:00:00.000Z',
        durationSeconds: 1,
        machine,
        loadAverageAtEnd: 0,
        command: 'x',
      },
      reports,
    );
    expect(JSON.stringify(json)).toContain('"error":"Error: boom"');
  });
});

describe('bench args', () => {
  it('parses --quick and --only and rejects unknown benchmarks', () => {
    expect(parseArgs(['--quick'])).toEqual({ quick: true, only: null });
    expect([...(parseArgs(['--only=read-path,cold-start']).only ?? [])]).toEqual(['read-path', 'cold-start']);
    expect(() => parseArgs(['--only=nope'])).toThrow('unknown benchmark');
    expect(() => parseArgs(['--fast'])).toThrow('unknown argument');
  });
});

describe('bench bare GET', () => {
  it('replays a captured request for another customer id, keeping query and headers', () => {
    const template = {
      method: 'GET',
      url: 'http://127.0.0.1:4103/v2/customers/cst_one?testmode=false',
      headers: { authorization: 'Bearer test_x' },
    };
    const replayed = requestFor(template, 'cst_one', 'cst two');
    expect(replayed.url).toBe('http://127.0.0.1:4103/v2/customers/cst%20two?testmode=false');
    expect(replayed.headers).toEqual(template.headers);
    expect(() => requestFor(template, 'cst_absent', 'x')).toThrow('does not hold the customer id');
  });

  it('captures GETs sent through the adapter fetch and leaves request bodies alone', async () => {
    const seen: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      seen.push(`${request.method} ${await request.text()}`);
      return new Response('{}');
    };
    try {
      const { deps, captured } = capturingDeps();
      const fetch = deps('delos').fetch;
      if (!fetch) throw new Error('no fetch');
      await fetch(new Request('http://x/v2/auth/login', { method: 'POST', body: '{"login":"a"}' }));
      await fetch(new Request('http://x/v2/customer/D1', { headers: { authorization: 'Bearer t' } }));
      expect(seen).toEqual(['POST {"login":"a"}', 'GET ']);
      expect(captured.get('delos')).toEqual({
        method: 'GET',
        url: 'http://x/v2/customer/D1',
        headers: { authorization: 'Bearer t' },
      });
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('bench Lambda heap limits', () => {
  it('gives a child process the heap of a 512 MB function, not one sized for this machine', () => {
    const flags = lambdaHeapFlags(512);
    expect(flags).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    const limitMb = (args: string[]) =>
      Number(
        execFileSync(process.execPath, [
          ...args,
          '-e',
          "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20))",
        ]),
      );
    // Old space plus the young generation's spaces: a little over the function's memory.
    expect(limitMb(flags)).toBeGreaterThan(461);
    expect(limitMb(flags)).toBeLessThan(600);
  });
});

describe('bench pool', () => {
  it('never runs more than the concurrency at once and runs every item', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(item);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('bench scale section', () => {
  it('derives the provider limit from 10 M a day and the measured limiter efficiency', () => {
    const text = scaleSection({
      changedCpuMs: 8,
      unchangedCpuMs: 4,
      changedWcu: 12,
      unchangedWcu: 3,
      changedRcu: 2.5,
      unchangedRcu: 2.5,
      changedDynamoCalls: 4,
      rateLimitEfficiency: 0.95,
      planLinksPerSecond: 5000,
    });
    // 10 M / 4 / 86,400 = 28.9/s; × 1.25 headroom ÷ 0.95 = 38.1 → 39.
    expect(text).toContain('**28.9 per second per provider**');
    expect(text).toContain('at least 39 requests per second');
    // 0.1 × 12 + 0.9 × 3 = 3.9 WCU per refresh.
    expect(text).toContain('3.90 WCU');
  });

  it('flags a planner that reads every link on every run, with the time of one full pass', () => {
    const text = scaleSection({
      changedWcu: 7,
      unchangedWcu: 1,
      planLinksPerSecond: 4000,
      idleLinksPerSecond: 2500,
      idleRcuPerLink: 0.5,
      dueRcuPerLink: 0.55,
    });
    expect(text).toContain('A due run that plans every link reads each one whatever is due');
    // Every 5 minutes (prod's syncEvery): 4 × 2,500,000 links × 288 runs × 0.5 RCU = 1.44 billion RCU a
    // day, against the refreshes' 10 M × (0.1 × 7 + 0.9 × 1) = 16 million WCU priced at 5 RCU each.
    expect(text).toContain('that would be 1.44 billion RCU a day (16,667 RCU/s), 1,800 % of the price');
    // On slots each link is examined 3 times a day: 4 × 2,500,000 × 3 × 0.5 = 15 million, 19 %.
    expect(text).toContain('**15.0 million RCU a day** (174 RCU/s), 19 % of the price of the writes');
    // A run enqueues a day's 288th part and examines three of them.
    expect(text).toContain('Each run enqueues about 8,681 due links per provider and examines 26,042');
    // 2,500,000 links / 2,500 per second = 1,000 s = 16.7 minutes; a shard (an eighth) 2.1 minutes.
    expect(text).toContain("takes 16.7 minutes at 2,500,000 links, 2.1 minutes per shard's run, inside");
    expect(text).toContain('`providers.<p>.refreshEvery: days(1)`: today it is 5 minutes');
  });

  it("takes the read cost of slots from benchmark 6's run on slots where it ran", () => {
    const text = scaleSection({
      changedWcu: 7,
      unchangedWcu: 1,
      idleLinksPerSecond: 2500,
      idleRcuPerLink: 0.5,
      dueRcuPerLink: 0.55,
      slotRcuPerLinkPerRun: 0.0055,
    });
    // 4 × 2,500,000 links × 0.0055 RCU per link and run × 288 runs = 15.84 million RCU a day.
    expect(text).toContain('**15.8 million RCU a day** (183 RCU/s)');
    expect(text).toContain("From benchmark 6's run on slots (0.0055 RCU per link of the provider and run");
  });

  it('says when a shard of the due index would outrun the scheduler timeout', () => {
    const text = scaleSection({ idleLinksPerSecond: 500, idleRcuPerLink: 0.5, dueRcuPerLink: 0.55 });
    // 2,500,000 / 500 = 5,000 s = 83.3 minutes; a shard's run 10.4 minutes.
    expect(text).toContain(
      "10.4 minutes per shard's run, more than the scheduler function's 5-minute timeout",
    );
  });

  it('keeps to the due links when a run with nothing due reads little', () => {
    const text = scaleSection({ planLinksPerSecond: 4000, idleRcuPerLink: 0.01, dueRcuPerLink: 0.55 });
    expect(text).not.toContain('reads every link');
    // Runs every 5 minutes over 2,500,000 links refreshed daily: 8,681 a run.
    expect(text).toContain('With a due run every 5 minutes, each run plans 8,681 links per provider');
  });
});
