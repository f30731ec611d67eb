/**
 * Explicit, narrow grants. CDK's `grantReadWriteData` also allows Scan, DeleteItem, BatchWriteItem and
 * every index: broader than any function here needs, so each function lists what it does instead.
 */

import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem';

/**
 * Reads by key and conditional writes of single items or transactions (Put/Update/ConditionCheck):
 * what every customer writer needs. No DeleteItem, no Scan, no batch writes.
 */
export const CONDITIONAL_ITEM_WRITES: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
];

const WRITE_ACTIONS = new Set<TableAction>([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]);

/**
 * What DynamoDB needs from the caller on a customer-managed key: the same permissions as CDK's
 * grantReadData/grantWriteData, with the `GenerateDataKey*`/`ReEncrypt*` wildcards spelled out.
 */
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = [
  ...KMS_READ,
  'kms:Encrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

export interface TableGrant {
  table: Table;
  key: Key;
  actions: readonly TableAction[];
  /** Indexes the function queries (Query only), by name; each by its own ARN, never `index/*`. */
  indexes?: readonly string[];
}

export function grantTable(fn: IFunction, grant: TableGrant): void {
  if (grant.actions.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: [...new Set(grant.actions)], resources: [grant.table.tableArn] }),
    );
  }
  const indexArns = (grant.indexes ?? []).map((name) => `${grant.table.tableArn}/index/${name}`);
  if (indexArns.length > 0) {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }));
  }
  if (grant.actions.length === 0 && indexArns.length === 0) return;
  const writes = grant.actions.some((action) => WRITE_ACTIONS.has(action));
  fn.addToRolePolicy(
    new PolicyStatement({ actions: writes ? KMS_WRITE : KMS_READ, resources: [grant.key.keyArn] }),
  );
}
