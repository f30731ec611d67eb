import type { SQSEvent } from 'aws-lambda';
import { type BatchOutcome, LocalSyncQueue } from '../../../lib/local/queue.ts';
import type { SyncMessage } from '../../../lib/sync/queue.ts';

const message = (n: number): SyncMessage => ({
  customerId: `C${n}`,
  provider: 'mollie',
  reason: 'scheduled',
});
const ids = (event: SQSEvent) => event.Records.map((record) => JSON.parse(record.body).customerId as string);

describe('LocalSyncQueue', () => {
  let queue: LocalSyncQueue | undefined;
  afterEach(async () => queue?.stop());

  it('delivers SQS-shaped batches of at most 10 and deletes what succeeded', async () => {
    const batches: string[][] = [];
    queue = new LocalSyncQueue({ batchSize: 10, concurrency: 1, batchWindowMs: 5 });
    queue.start(async (event) => {
      batches.push(ids(event));
      const record = event.Records[0];
      expect(record).toMatchObject({ eventSource: 'aws:sqs', attributes: { ApproximateReceiveCount: '1' } });
      expect(record?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
      return { batchItemFailures: [] };
    });
    await queue.send(Array.from({ length: 23 }, (_, i) => message(i)));
    expect(await queue.idle(5_000)).toBe(true);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(batches.flat().sort()).toEqual(Array.from({ length: 23 }, (_, i) => `C${i}`).sort());
    expect(queue.depth).toBe(0);
  });

  it('redelivers reported failures with backoff, then dead-letters them after maxReceiveCount', async () => {
    const deliveries: Array<{ id: string; count: string; at: number }> = [];
    const outcomes: BatchOutcome[] = [];
    queue = new LocalSyncQueue({
      maxReceiveCount: 3,
      backoffMs: () => 30,
      batchWindowMs: 1,
      onBatch: (outcome) => outcomes.push(outcome),
    });
    queue.start(async (event) => {
      for (const record of event.Records) {
        deliveries.push({
          id: JSON.parse(record.body).customerId,
          count: record.attributes.ApproximateReceiveCount,
          at: Date.now(),
        });
      }
      return {
        batchItemFailures: event.Records.filter((record) => record.body.includes('"C1"')).map((record) => ({
          itemIdentifier: record.messageId,
        })),
      };
    });
    await queue.send([message(1), message(2)]);
    expect(await queue.idle(5_000)).toBe(true);
    expect(deliveries.filter((d) => d.id === 'C2').map((d) => d.count)).toEqual(['1']);
    const failing = deliveries.filter((d) => d.id === 'C1');
    expect(failing.map((d) => d.count)).toEqual(['1', '2', '3']);
    expect((failing[1]?.at ?? 0) - (failing[0]?.at ?? 0)).toBeGreaterThanOrEqual(25);
    expect(queue.deadLetters.map((letter) => letter.message.customerId)).toEqual(['C1']);
    expect(outcomes.at(-1)?.deadLettered.map((queued) => queued.message.customerId)).toEqual(['C1']);
  });

  it('fails the whole batch when the handler throws, and honours the delay the worker asks for', async () => {
    let calls = 0;
    const seen: number[] = [];
    queue = new LocalSyncQueue({ maxReceiveCount: 5, backoffMs: () => 10_000, batchWindowMs: 1 });
    const local = queue;
    local.start(async (event) => {
      calls++;
      seen.push(Date.now());
      if (calls === 1) {
        await local.changeVisibility(event.Records[0]?.receiptHandle ?? '', 0.05);
        throw new Error('boom');
      }
      return { batchItemFailures: [] };
    });
    await local.send([message(1)]);
    expect(await local.idle(3_000)).toBe(true);
    expect(calls).toBe(2);
    // The worker asked for 50 ms, not the default 10 s backoff.
    expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeLessThan(2_000);
  });

  it('rejects messages that are not sync messages', async () => {
    queue = new LocalSyncQueue();
    await expect(
      queue.send([{ customerId: 'C1', provider: 'stripe', reason: 'scheduled' } as unknown as SyncMessage]),
    ).rejects.toThrow();
    expect(queue.depth).toBe(0);
  });

  it('tags the messages sent inside withTag', async () => {
    const tags: Array<string | undefined> = [];
    queue = new LocalSyncQueue({
      batchWindowMs: 1,
      onBatch: (o) => tags.push(...o.messages.map((m) => m.tag)),
    });
    queue.start(async () => ({ batchItemFailures: [] }));
    await queue.withTag('run-1', () => queue?.send([message(1)]) ?? Promise.resolve());
    await queue.send([message(2)]);
    expect(await queue.idle(3_000)).toBe(true);
    expect(tags.sort()).toEqual(['run-1', undefined].sort());
  });
});
