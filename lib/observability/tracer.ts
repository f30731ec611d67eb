/**
 * Kept apart from the logger and metrics (and out of `index.ts`) because the Powertools tracer loads
 * `aws-xray-sdk-core`, a CommonJS package that weighs on every cold start and needs esbuild's
 * `createRequire` banner in ESM bundles. Only handlers that trace import this file.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export function createTracer(serviceName: string): Tracer {
  return new Tracer({ serviceName });
}
