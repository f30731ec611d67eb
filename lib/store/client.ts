import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoConnection {
  region: string;
  /** DynamoDB Local's URL; absent in AWS. */
  endpoint?: string | undefined;
  /** SDK retry attempts (throttling, 5xx) before an error surfaces to the caller. */
  maxAttempts?: number;
}

/** A document client that strips undefined and keeps numbers exact (money is stored as strings anyway). */
export function createDynamoClients(connection: DynamoConnection): {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
} {
  const client = new DynamoDBClient({
    region: connection.region,
    maxAttempts: connection.maxAttempts ?? 5,
    ...(connection.endpoint
      ? {
          endpoint: connection.endpoint,
          // DynamoDB Local accepts any credentials; fixed ones keep a laptop's AWS profile out of it.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  // The SDK's logger middleware runs every request and response through its sensitive-data filter even
  // for its default no-op logger: on a page of 100 items the largest single cost in this process. The
  // project gives the SDK no logger (it logs through Powertools), so the middleware has nothing to do.
  client.middlewareStack.remove('loggerMiddleware');
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, doc };
}
