/**
 * The default `handler` exports, built from env exactly as in Lambda (config → clients → adapters),
 * against DynamoDB Local, the Mollie sandbox and a local SQS endpoint: checks the env contract the
 * infra stack relies on.
 */
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { handler as createHandler } from '../../../functions/create-customer/handler.ts';
import { handler as webhookHandler } from '../../../functions/provider-webhook/handler.ts';
import { handler as schedulerHandler } from '../../../functions/sync-scheduler/handler.ts';
import { handler as workerHandler } from '../../../functions/sync-worker/handler.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { localContext } from '../../../lib/sync/lambda.ts';
import { type RunningSandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../../sandbox/index.ts';
import { createTestTable, type TestTable, testEndpoint } from '../../helpers/dynamodb.ts';
import { type FakeSqs, startFakeSqs } from '../../unit/sync/fake-sqs.ts';
import { createIdempotencyTestTable, type IdempotencyTestTable } from '../../unit/sync/idempotency-table.ts';

const SIGNING_SECRET = 'it-mollie-signing-secret';
let mollie: RunningSandbox;
let table: TestTable;
let idempotency: IdempotencyTestTable;
let sqs: FakeSqs;
const saved = { ...process.env };

beforeAll(async () => {
  [mollie, table, idempotency, sqs] = await Promise.all([
    startSandbox('mollie'),
    createTestTable('handlers'),
    createIdempotencyTestTable(),
    startFakeSqs(),
  ]);
  Object.assign(process.env, {
    STAGE: 'local',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: testEndpoint(),
    IDEMPOTENCY_TABLE_NAME: idempotency.tableName,
    SQS_ENDPOINT: sqs.queueUrl('x').replace(/\/000000000000\/x$/, ''),
    SYNC_QUEUE_URL_MOLLIE: sqs.queueUrl('mollie-sync'),
    ENABLED_PROVIDERS: 'mollie',
    PROVIDER: 'mollie',
    SYNC_INTERVAL_SECONDS: '1',
    MOLLIE_BASE_URL: mollie.url,
    MOLLIE_API_KEY: SANDBOX_CREDENTIALS.mollie.apiKey,
    MOLLIE_WEBHOOK_SECRET: SIGNING_SECRET,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
}, 60_000);

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  await Promise.all([mollie?.stop(), table?.drop(), idempotency?.drop(), sqs?.stop()]);
});

function apiEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: false,
    path: '/',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    resource: '/',
    ...overrides,
  };
}

const drain = (queue: string) => (sqs.received.get(queue) ?? []).splice(0);

describe('default handlers built from env', () => {
  it('create, schedule, work and take a webhook with the deployed wiring', async () => {
    const created = await createHandler(
      apiEvent({
        path: '/customers',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'default-handlers-1' },
        body: JSON.stringify({
          customer: { reference: 'it-default-0001', givenName: 'Mia' },
          providers: ['mollie'],
        }),
      }),
      localContext('create-customer'),
    );
    expect(created.statusCode).toBe(201);
    const { customerId, providers } = JSON.parse(created.body);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const summary = await schedulerHandler(
      { provider: 'mollie', mode: 'due' },
      localContext('sync-scheduler'),
    );
    expect(summary).toMatchObject({ provider: 'mollie', mode: 'due', enqueued: 1 });
    const bodies = drain('mollie-sync');
    expect(bodies.map((body) => JSON.parse(body))).toEqual([
      { customerId, provider: 'mollie', reason: 'scheduled' },
    ]);

    await mollie.control.patchCustomer(providers.mollie.providerCustomerId, { email: 'mia@example.com' });
    const event: SQSEvent = {
      Records: bodies.map((body, index) => ({
        messageId: `m${index}`,
        receiptHandle: `r${index}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 's',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:mollie-sync',
        awsRegion: 'us-east-1',
      })),
    };
    expect(await workerHandler(event, localContext('sync-worker'))).toEqual({ batchItemFailures: [] });
    const store = new CustomerStore({ doc: table.doc, tableName: table.tableName, historyRetentionDays: 30 });
    const link = (await store.getCustomer(customerId))?.links.find((item) => item.provider === 'mollie');
    expect(link?.snapshot?.email).toBe('mia@example.com');

    const hook = JSON.stringify({
      resource: 'event',
      id: 'event_default_1',
      type: 'payment.paid',
      entityId: 'tr_1',
      createdAt: new Date().toISOString(),
      _embedded: { entity: { customerId: providers.mollie.providerCustomerId } },
    });
    const accepted = await webhookHandler(
      apiEvent({
        path: '/webhooks/mollie',
        pathParameters: { provider: 'mollie' },
        headers: { 'X-Mollie-Signature': createHmac('sha256', SIGNING_SECRET).update(hook).digest('hex') },
        body: hook,
      }),
      localContext('provider-webhook'),
    );
    expect(JSON.parse(accepted.body)).toEqual({ status: 'enqueued' });
    expect(drain('mollie-sync').map((body) => JSON.parse(body))).toEqual([
      { customerId, provider: 'mollie', reason: 'webhook' },
    ]);
  });
});
