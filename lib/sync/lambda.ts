/**
 * Handler plumbing shared by the four sync functions: Powertools middlewares around a plain async
 * function, and lazily built default dependencies (so importing a handler module, as the local runtime
 * and the tests do for its factory, reads no env and opens no client).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';

export type AsyncHandler<E, R> = (event: E, context: Context) => Promise<R>;

export interface HandlerObservability {
  logger: Logger;
  /** Flushed after every invocation (EMF on stdout); omit to record no metrics. */
  metrics?: Metrics;
  /** Omit where tracing is not wanted (tests, the local runtime). */
  tracer?: Tracer;
}

/** Middlewares first, the handler last; Powertools' order: tracer, metrics, logger. */
export function withPowertools<E, R>(
  fn: AsyncHandler<E, R>,
  observability: HandlerObservability,
): AsyncHandler<E, R> {
  const wrapped = middy(fn);
  if (observability.tracer)
    wrapped.use(captureLambdaHandler(observability.tracer, { captureResponse: false }));
  if (observability.metrics) wrapped.use(logMetrics(observability.metrics, { captureColdStartMetric: true }));
  wrapped.use(injectLambdaContext(observability.logger, { resetKeys: true }));
  return (event, context) => wrapped(event, context);
}

/** Builds the real handler on first use, once per process; a failed build is retried next time. */
export function lazyHandler<E, R>(build: () => Promise<AsyncHandler<E, R>>): AsyncHandler<E, R> {
  let built: Promise<AsyncHandler<E, R>> | null = null;
  return async (event, context) => {
    built ??= build().catch((error: unknown) => {
      built = null;
      throw error;
    });
    return (await built)(event, context);
  };
}

/** A Lambda context for invocations outside Lambda (local runtime, tests): `budgetMs` to run. */
export function localContext(functionName: string, budgetMs = 30_000): Context {
  const deadline = Date.now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '0',
    awsRequestId: ulid(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
