/**
 * A tiny SQS endpoint speaking the AWS JSON 1.0 protocol the SDK uses (SendMessageBatch,
 * ChangeMessageVisibility), so the real SQSClient, its serialization and its MD5 checks run in tests.
 * There is no SQS emulator on this machine; this covers only what the sync queue calls.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface FakeSqs {
  client: SQSClient;
  queueUrl: (name: string) => string;
  /** Bodies accepted, per queue name. */
  received: Map<string, string[]>;
  calls: { sendMessageBatch: number; changeVisibility: Array<{ receiptHandle: string; seconds: number }> };
  /** Entries refused per call: ids (by position) of the next calls' entries to report as Failed. */
  failEntries: Array<{ count: number; senderFault?: boolean }>;
  /** Whole calls answered 500 (after the SDK's own retries are used up: client maxAttempts is 1). */
  failCalls: number;
  stop(): Promise<void>;
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const received = new Map<string, string[]>();
  const state: Omit<FakeSqs, 'client' | 'queueUrl' | 'stop'> = {
    received,
    calls: { sendMessageBatch: 0, changeVisibility: [] },
    failEntries: [],
    failCalls: 0,
  };
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(payload));
      };
      if (target.endsWith('SendMessageBatch')) {
        state.calls.sendMessageBatch++;
        if (fake.failCalls > 0) {
          fake.failCalls--;
          reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'boom' });
          return;
        }
        const name = String(body.QueueUrl).split('/').pop() ?? '';
        const entries = (body.Entries ?? []) as Array<{ Id: string; MessageBody: string }>;
        const failing = fake.failEntries.shift();
        const failed = entries.slice(0, failing?.count ?? 0);
        const ok = entries.slice(failing?.count ?? 0);
        const list = received.get(name) ?? [];
        list.push(...ok.map((entry) => entry.MessageBody));
        received.set(name, list);
        reply(200, {
          Successful: ok.map((entry) => ({
            Id: entry.Id,
            MessageId: `${name}-${entry.Id}-${list.length}`,
            MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
          })),
          Failed: failed.map((entry) => ({
            Id: entry.Id,
            SenderFault: failing?.senderFault ?? false,
            Code: failing?.senderFault ? 'InvalidParameterValue' : 'InternalError',
            Message: 'refused',
          })),
        });
        return;
      }
      if (target.endsWith('ChangeMessageVisibility')) {
        state.calls.changeVisibility.push({
          receiptHandle: String(body.ReceiptHandle),
          seconds: Number(body.VisibilityTimeout),
        });
        reply(200, {});
        return;
      }
      reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: target });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const fake: FakeSqs = {
    ...state,
    client,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    get failCalls() {
      return state.failCalls;
    },
    set failCalls(value: number) {
      state.failCalls = value;
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
