import type { RunningDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __dynamo?: RunningDynamoDbLocal }).__dynamo?.stop();
}
