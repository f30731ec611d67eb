/**
 * DynamoDB throttling, simulated where DynamoDB Local cannot: a middleware on the client's stack,
 * inside the SDK's retry loop, that fails the next N matching attempts with the exception DynamoDB
 * throws when a table or partition is over its capacity. The SDK sees a real throttling error, so its
 * own retry policy (attempts, backoff, retry quota) is what gets exercised.
 */
import {
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';

export interface ThrottledAttempt {
  command: string;
  /** The SDK's `amz-sdk-request` attempt number (1 = first try). */
  attempt: number;
  /** The SDK's invocation id: the same for every retry of one call. */
  invocation: string;
  at: number;
}

export interface SimulatedThrottling {
  /** Throttles the next `times` attempts of the given commands (default: every write command). */
  arm(
    times: number,
    options?: {
      commands?: readonly string[];
      /** Only writes of items whose sort key starts with this (`HISTORY#`); default: any item. */
      sortKeyPrefix?: string;
      error?: 'ProvisionedThroughputExceeded' | 'Throttling';
    },
  ): void;
  disarm(): void;
  readonly remaining: number;
  /** Every attempt that was throttled. */
  readonly attempts: ThrottledAttempt[];
}

export const WRITE_COMMANDS = [
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
] as const;

/** The sort key of the item a single-item command names (`Key`, or `Item` for a put), as sent. */
function sortKeyOf(input: unknown): string {
  const target: unknown =
    typeof input === 'object' && input !== null
      ? (Reflect.get(input, 'Key') ?? Reflect.get(input, 'Item'))
      : undefined;
  const sk: unknown = typeof target === 'object' && target !== null ? Reflect.get(target, 'sk') : undefined;
  const value: unknown = typeof sk === 'object' && sk !== null ? Reflect.get(sk, 'S') : undefined;
  return typeof value === 'string' ? value : '';
}

function header(request: unknown, name: string): string {
  const headers: unknown =
    typeof request === 'object' && request !== null ? Reflect.get(request, 'headers') : undefined;
  const value: unknown =
    typeof headers === 'object' && headers !== null ? Reflect.get(headers, name) : undefined;
  return typeof value === 'string' ? value : '';
}

export function installThrottling(client: DynamoDBClient): SimulatedThrottling {
  let remaining = 0;
  let commands: readonly string[] = WRITE_COMMANDS;
  let sortKeyPrefix = '';
  let error: 'ProvisionedThroughputExceeded' | 'Throttling' = 'ProvisionedThroughputExceeded';
  const attempts: ThrottledAttempt[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (remaining > 0 && commands.includes(command) && sortKeyOf(args.input).startsWith(sortKeyPrefix)) {
        attempts.push({
          command,
          attempt: Number(/attempt=(\d+)/.exec(header(args.request, 'amz-sdk-request'))?.[1] ?? 0),
          invocation: header(args.request, 'amz-sdk-invocation-id'),
          at: Date.now(),
        });
        remaining--;
        const options = {
          message: 'Simulated throttling (test fault injection)',
          $metadata: { httpStatusCode: 400 },
        };
        throw error === 'Throttling'
          ? new ThrottlingException(options)
          : new ProvisionedThroughputExceededException(options);
      }
      return next(args);
    },
    // Inside the retry middleware (finalizeRequest, high priority), so every SDK attempt passes here.
    { step: 'finalizeRequest', priority: 'low', name: 'simulatedThrottling' },
  );
  return {
    arm(times, options = {}) {
      remaining = times;
      commands = options.commands ?? WRITE_COMMANDS;
      sortKeyPrefix = options.sortKeyPrefix ?? '';
      error = options.error ?? 'ProvisionedThroughputExceeded';
    },
    disarm() {
      remaining = 0;
    },
    get remaining() {
      return remaining;
    },
    attempts,
  };
}
