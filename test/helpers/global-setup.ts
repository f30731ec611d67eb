import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

/** Starts one in-memory DynamoDB Local for the run; workers inherit its endpoint through the env. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DYNAMODB_ENDPOINT) return; // someone else runs it (e.g. the chaos suite)
  const dynamo = await startDynamoDbLocal();
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __dynamo?: typeof dynamo }).__dynamo = dynamo;
}
