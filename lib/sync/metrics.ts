/**
 * The sync services' metrics, all with the dimension `provider` (never a customer id: dimensions are
 * cardinality, and ids are data). Services record through this small interface; the handlers plug in
 * Powertools (EMF) and flush once per invocation.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProviderName } from '../customer/snapshot.ts';

export type SyncCountMetric =
  | 'CustomersSynced'
  | 'CustomersChanged'
  | 'CustomersGone'
  | 'SyncFailures'
  | 'SyncMessagesEnqueued'
  | 'CustomersImported'
  | 'CustomersCreatedAtProvider'
  /** A retried create found the customer an earlier attempt made at the provider (Delos). */
  | 'ProviderCreatesReconciled'
  | 'ProviderCreateFailures'
  | 'WebhooksAccepted'
  | 'WebhooksRejected'
  | 'WebhooksDuplicate'
  /** A due run stopped on its time budget before it had read every link (0 or 1 per run). */
  | 'SchedulerRunsTruncated';

export type SyncGaugeMetric = 'OldestOverdueSeconds';

export interface SyncMetrics {
  count(name: SyncCountMetric, provider: ProviderName, value?: number): void;
  /** Seconds; the last value per provider wins within one flush. */
  gauge(name: SyncGaugeMetric, provider: ProviderName, seconds: number): void;
}

export const noopSyncMetrics: SyncMetrics = {
  count: () => {},
  gauge: () => {},
};

/** Keeps totals in memory; tests read them, the Powertools adapter flushes them. */
export class SyncMetricsRecorder implements SyncMetrics {
  readonly counts = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  count(name: SyncCountMetric, provider: ProviderName, value = 1): void {
    const key = `${name}|${provider}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
  gauge(name: SyncGaugeMetric, provider: ProviderName, seconds: number): void {
    this.gauges.set(`${name}|${provider}`, seconds);
  }
  /** Total of one count (0 if never recorded). */
  total(name: SyncCountMetric, provider: ProviderName): number {
    return this.counts.get(`${name}|${provider}`) ?? 0;
  }
  clear(): void {
    this.counts.clear();
    this.gauges.clear();
  }
}

/**
 * Aggregates per invocation. `flush()` puts the first provider's metrics on `metrics` itself, with a
 * `provider` dimension (published by the logMetrics middleware with the rest of the invocation), and
 * any other provider's on single-metric instances, since one EMF document has one set of dimensions.
 * Every function but create-customer serves one provider per invocation, so that is one document.
 */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export function powertoolsSyncMetrics(metrics: Metrics): SyncMetrics & { flush(): void } {
  const recorder = new SyncMetricsRecorder();
  return {
    count: (name, provider, value) => recorder.count(name, provider, value),
    gauge: (name, provider, seconds) => recorder.gauge(name, provider, seconds),
    flush() {
      const byProvider = new Map<string, Array<{ name: string; unit: Unit; value: number }>>();
      const collect = (entries: Map<string, number>, unit: Unit) => {
        for (const [key, value] of entries) {
          const [name, provider] = key.split('|');
          if (!name || !provider) continue;
          const list = byProvider.get(provider) ?? [];
          list.push({ name, unit, value });
          byProvider.set(provider, list);
        }
      };
      collect(recorder.counts, MetricUnit.Count);
      collect(recorder.gauges, MetricUnit.Seconds);
      recorder.clear();
      let first = true;
      for (const [provider, list] of byProvider) {
        if (first) {
          metrics.addDimension('provider', provider);
          for (const { name, unit, value } of list) metrics.addMetric(name, unit, value);
          first = false;
          continue;
        }
        for (const { name, unit, value } of list) {
          metrics.singleMetric().addDimension('provider', provider).addMetric(name, unit, value);
        }
      }
    },
  };
}
