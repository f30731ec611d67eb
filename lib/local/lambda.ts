/**
 * What Lambda gives a handler besides its event: a `Context`. Handlers (and Powertools) read the
 * function name, request id and remaining time from it.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function createLambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const started = Date.now();
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Any Lambda handler as the local runtime calls it (middy handlers take `(event, context)`). */
export type LocalHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;
