import type { SyncMessage } from '../../../lib/sync/queue.ts';
import {
  InMemorySyncQueue,
  queueUrlFromArn,
  SqsSyncQueue,
  SyncQueueSendError,
  sqsRetryDelay,
} from '../../../lib/sync/queue.ts';
import { type FakeSqs, startFakeSqs } from './fake-sqs.ts';

const messages = (n: number, provider: SyncMessage['provider'] = 'mollie'): SyncMessage[] =>
  Array.from({ length: n }, (_, i) => ({ customerId: `C${i}`, provider, reason: 'scheduled' }));

describe('SqsSyncQueue', () => {
  let sqs: FakeSqs;
  beforeEach(async () => {
    sqs = await startFakeSqs();
  });
  afterEach(async () => sqs.stop());

  const queue = (maxAttempts = 5) =>
    new SqsSyncQueue({
      client: sqs.client,
      queueUrlFor: (provider) => sqs.queueUrl(`${provider}-sync`),
      maxAttempts,
      sleep: async () => {},
    });

  it('sends in batches of ten to each provider’s queue', async () => {
    await queue().send([...messages(23), ...messages(3, 'delos')]);
    expect(sqs.calls.sendMessageBatch).toBe(4);
    expect(sqs.received.get('mollie-sync')).toHaveLength(23);
    expect(sqs.received.get('delos-sync')).toHaveLength(3);
    expect(JSON.parse(sqs.received.get('delos-sync')?.[0] ?? '{}')).toEqual({
      customerId: 'C0',
      provider: 'delos',
      reason: 'scheduled',
    });
  });

  it('resends only the entries SQS refused', async () => {
    sqs.failEntries.push({ count: 4 });
    await queue().send(messages(10));
    expect(sqs.calls.sendMessageBatch).toBe(2);
    const bodies = (sqs.received.get('mollie-sync') ?? []).map((body) => JSON.parse(body).customerId).sort();
    expect(bodies).toEqual(
      messages(10)
        .map((m) => m.customerId)
        .sort(),
    );
  });

  it('retries a whole failed call', async () => {
    sqs.failCalls = 1;
    await queue().send(messages(3));
    expect(sqs.received.get('mollie-sync')).toHaveLength(3);
  });

  it('gives up after its attempts, saying how many were not sent', async () => {
    sqs.failEntries.push({ count: 2 }, { count: 2 });
    await expect(queue(2).send(messages(5))).rejects.toMatchObject({ name: 'SyncQueueSendError', failed: 2 });
  });

  it('does not retry entries refused as the sender’s fault', async () => {
    sqs.failEntries.push({ count: 1, senderFault: true });
    await expect(queue().send(messages(2))).rejects.toBeInstanceOf(SyncQueueSendError);
    expect(sqs.calls.sendMessageBatch).toBe(1);
  });

  it('postpones a message’s redelivery through ChangeMessageVisibility', async () => {
    await sqsRetryDelay(sqs.client, sqs.queueUrl('mollie-sync'))('rh-1', 120.4);
    expect(sqs.calls.changeVisibility).toEqual([{ receiptHandle: 'rh-1', seconds: 120 }]);
  });
});

describe('InMemorySyncQueue', () => {
  it('keeps validated messages until drained', async () => {
    const queue = new InMemorySyncQueue();
    await queue.send(messages(2));
    expect(queue.drain()).toHaveLength(2);
    expect(queue.messages).toHaveLength(0);
    await expect(queue.send([{ customerId: '', provider: 'mollie', reason: 'scheduled' }])).rejects.toThrow();
  });
});

describe('queueUrlFromArn', () => {
  it('turns a queue ARN into its URL', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:customer-sync-mollie')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/customer-sync-mollie',
    );
  });
});
