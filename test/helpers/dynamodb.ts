/** A fresh table per test file on the run's DynamoDB Local, built from the shared table definition. */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../lib/local/dynamodb-local.ts';
import { createDynamoClients } from '../../lib/store/client.ts';

export function testEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run through jest (global setup)');
  return endpoint;
}

let counter = 0;

export async function createTestTable(prefix = 'test') {
  const tableName = `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
  const clients = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
  await ensureTable(clients.client, tableName);
  return {
    tableName,
    ...clients,
    async drop() {
      await clients.client.send(new DeleteTableCommand({ TableName: tableName }));
      clients.client.destroy();
    },
  };
}
export type TestTable = Awaited<ReturnType<typeof createTestTable>>;
