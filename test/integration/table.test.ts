import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../lib/store/table.ts';
import { createTestTable, type TestTable } from '../helpers/dynamodb.ts';

describe('customers table definition', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('table');
  });
  afterAll(async () => table.drop());

  it('creates every index the store queries on DynamoDB Local', async () => {
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const names = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
    expect(names).toEqual(
      Object.values(TABLE.indexes)
        .map((index) => index.name)
        .sort(),
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });
});
