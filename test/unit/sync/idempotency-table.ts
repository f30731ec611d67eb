/** A fresh idempotency table on the run's DynamoDB Local, from the shared definition. */

import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClients } from '../../../lib/store/client.ts';
import { ensureIdempotencyTable, IDEMPOTENCY_TABLE } from '../../../lib/store/idempotency-table.ts';
import { testEndpoint } from '../../helpers/dynamodb.ts';

let counter = 0;

export async function createIdempotencyTestTable() {
  const tableName = `idem-${process.pid}-${Date.now()}-${counter++}`;
  const clients = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
  await ensureIdempotencyTable(clients.client, tableName);
  return {
    tableName,
    ...clients,
    /** A new persistence layer (one per handler process in real life). */
    persistence: () =>
      new DynamoDBPersistenceLayer({
        tableName,
        keyAttr: IDEMPOTENCY_TABLE.partitionKey,
        expiryAttr: IDEMPOTENCY_TABLE.ttlAttribute,
        awsSdkV3Client: clients.client,
      }),
    async drop() {
      await clients.client.send(new DeleteTableCommand({ TableName: tableName }));
      clients.client.destroy();
    },
  };
}
export type IdempotencyTestTable = Awaited<ReturnType<typeof createIdempotencyTestTable>>;
