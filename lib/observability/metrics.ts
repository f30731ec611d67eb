import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export { MetricUnit };

/**
 * EMF metrics (printed to stdout, no API calls). Create once at module scope; flush per invocation with
 * Powertools' `logMetrics` middy middleware. Dimensions and metadata must never hold customer data: use
 * provider names and outcomes, not ids or emails.
 */
export function createMetrics(namespace: string, serviceName: string): Metrics {
  return new Metrics({ namespace, serviceName });
}
