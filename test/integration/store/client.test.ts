import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../../../lib/store/client.ts';
import { createTestTable, type TestTable, testEndpoint } from '../../helpers/dynamodb.ts';

describe('createDynamoClients', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('client');
  });
  afterAll(async () => {
    await table.drop();
  });

  it('leaves out the SDK logger middleware, which filters every response for a no-op logger', () => {
    const { client } = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
    const names = client.middlewareStack.identify();
    expect(names.some((name) => name.startsWith('loggerMiddleware'))).toBe(false);
    // The rest of the stack is the SDK's own: signing and retries still run.
    expect(names.some((name) => name.startsWith('retryMiddleware'))).toBe(true);
    client.destroy();
  });

  it('still writes and reads with undefined values stripped', async () => {
    const key = { pk: 'CLIENT#1', sk: 'ITEM' };
    await table.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { ...key, kept: 1, dropped: undefined } }),
    );
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: key }));
    expect(Item).toEqual({ ...key, kept: 1 });
  });
});
