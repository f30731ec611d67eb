import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createMetrics, MetricUnit } from '../../../lib/observability/metrics.ts';
import { createTracer } from '../../../lib/observability/tracer.ts';

describe('createMetrics', () => {
  it('emits EMF under the given namespace and service', () => {
    const metrics = createMetrics('CustomerSync', 'sync-worker');
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = (chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    };
    try {
      metrics.addMetric('customersSynced', MetricUnit.Count, 2);
      metrics.publishStoredMetrics();
    } finally {
      process.stdout.write = write;
    }
    const emf = JSON.parse(lines.join(''));
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('CustomerSync');
    expect(emf.service).toBe('sync-worker');
    expect(emf.customersSynced).toBe(2);
  });
});

describe('createTracer', () => {
  it('loads under Node 24 ESM and stays off outside Lambda', () => {
    const tracer = createTracer('sync-worker');
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});

describe('lib/observability/index.ts', () => {
  it('does not pull the X-Ray SDK into bundles that only log and measure', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../../lib/observability/index.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      minify: true,
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('@aws-lambda-powertools/logger'))).toBe(true);
    expect(inputs.filter((input) => input.includes('xray') || input.includes('powertools/tracer'))).toEqual(
      [],
    );
  });
});
