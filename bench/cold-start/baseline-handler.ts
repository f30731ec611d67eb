/**
 * The cold-start baseline: a handler that only creates a DynamoDB document client at module scope,
 * the least any function of this service does. Bundled with the same options as the real functions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { id: string }) =>
  doc.send(new GetCommand({ TableName: 'baseline', Key: { pk: event.id, sk: 'PROFILE' } }));
