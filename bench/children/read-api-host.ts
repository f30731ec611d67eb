/**
 * Child process of benchmark 4. Hosts the read-api handler, wired as the deployed function wires it
 * (createReadApiHandler with the Powertools logger, metrics and tracer), and:
 * 1. builds `GET /customers/{id}` events with the local gateway's own event builder (each event is the
 *    one the gateway hands the function for a real HTTP request), then times the handler on them
 *    against the bare DynamoDB Query for the same items, alternating, in this one process;
 * 2. keeps the gateway up for the parent's HTTP load test until told to stop.
 *
 * A child because the function prints one EMF metrics line per invocation to stdout, as in Lambda:
 * the parent sends that to /dev/null instead of into the bench output. Messages go over IPC.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createReadApiHandler } from '../../functions/read-api/handler.ts';
import { startGateway } from '../../lib/local/gateway.ts';
import { createLambdaContext } from '../../lib/local/lambda.ts';
import { createLogger, createMetrics } from '../../lib/observability/index.ts';
import { createTracer } from '../../lib/observability/tracer.ts';
import { createDynamoClients } from '../../lib/store/client.ts';
import { CustomerStore } from '../../lib/store/customer-store.ts';
import { CURRENT_SK_RANGE, customerPk } from '../../lib/store/keys.ts';
import { ReadHostArgsSchema, type ReadHostMessage } from '../lib/read-host-protocol.ts';

function send(message: ReadHostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const args = ReadHostArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const { client, doc } = createDynamoClients({ region: args.region, endpoint: args.endpoint });
  const store = new CustomerStore({
    doc,
    tableName: args.tableName,
    historyRetentionDays: args.historyRetentionDays,
  });
  const handler = createReadApiHandler({
    store,
    logger: createLogger('read-api'),
    metrics: createMetrics(args.metricsNamespace, 'read-api'),
    tracer: createTracer('read-api'),
  });

  let capture: ((event: APIGatewayProxyEvent) => void) | null = null;
  const unused = async (): Promise<APIGatewayProxyResult> => ({ statusCode: 501, body: '' });
  const gateway = await startGateway({
    port: 0,
    apiKey: args.apiKey,
    handlers: {
      'read-api': async (event, context) => {
        if (!capture) return handler(event, context);
        capture(event);
        return { statusCode: 204, body: '' };
      },
      'create-customer': unused,
      'provider-webhook': unused,
    },
  });

  // One event per customer, each built by the gateway from a real request.
  const events = new Map<string, APIGatewayProxyEvent>();
  for (const id of args.ids) {
    capture = (event) => events.set(id, event);
    const response = await fetch(`${gateway.url}/customers/${encodeURIComponent(id)}`, {
      headers: { 'x-api-key': args.apiKey },
    });
    await response.arrayBuffer();
  }
  capture = null;
  send({ type: 'progress', message: `built ${events.size} events through the local gateway` });

  const context = createLambdaContext('customer-sync-bench-read-api');
  const bareQuery = (id: string) =>
    client.send(
      new QueryCommand({
        TableName: args.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: {
          ':pk': { S: customerPk(id) },
          ':from': { S: CURRENT_SK_RANGE.from },
          ':to': { S: CURRENT_SK_RANGE.to },
        },
      }),
    );

  const handlerMs: number[] = [];
  const bareMs: number[] = [];
  let non200 = 0;
  let bareItems = 0;
  let responseBytes = 0;
  const total = args.warmup + args.samples;
  for (let i = 0; i < total; i++) {
    const id = args.ids[i % args.ids.length] ?? '';
    const event = structuredClone(events.get(id));
    if (!event) throw new Error('no event for a customer');
    const runHandler = async () => {
      const started = performance.now();
      const result = await handler(event, context);
      const ms = performance.now() - started;
      if (result.statusCode !== 200) non200++;
      return { ms, bytes: Buffer.byteLength(result.body) };
    };
    const runBare = async () => {
      const started = performance.now();
      const output = await bareQuery(id);
      return { ms: performance.now() - started, items: output.Items?.length ?? 0 };
    };
    // Alternate which goes first, so neither always gets the warmer connection or cache.
    let h: { ms: number; bytes: number };
    let b: { ms: number; items: number };
    if (i % 2 === 0) {
      h = await runHandler();
      b = await runBare();
    } else {
      b = await runBare();
      h = await runHandler();
    }
    if (i >= args.warmup) {
      handlerMs.push(h.ms);
      bareMs.push(b.ms);
      bareItems += b.items;
      responseBytes += h.bytes;
    }
    if ((i + 1) % Math.max(1, Math.floor(total / 4)) === 0) {
      send({
        type: 'progress',
        message: `in-process pairs ${i + 1}/${total} (first ${args.warmup} are warm-up)`,
      });
    }
  }
  send({
    type: 'measured',
    handlerMs,
    bareMs,
    bareItems: bareItems / args.samples,
    non200,
    responseBytes: responseBytes / args.samples,
    gatewayUrl: gateway.url,
  });

  process.on('message', () => {
    void gateway.stop().then(() => {
      client.destroy();
      process.exit(0);
    });
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  send({
    type: 'error',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
  process.exit(1);
});
