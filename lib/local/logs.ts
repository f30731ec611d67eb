/**
 * Where the handlers' Powertools output goes locally. In Lambda every JSON log line and EMF metric
 * document goes to CloudWatch; on a laptop the same lines would drown the console, so by default they
 * go to `<dataDir>/logs/handlers.log` (truncated on each start) and the console keeps one line per
 * request and per sync run. `console` prints them as Lambda would; `silent` drops them.
 *
 * The loggers are the project's own (`createLogger`: PII redaction included); only their output
 * stream changes. Powertools 2.x offers no stream option, so the instances' console is replaced: that
 * is its documented behaviour for `POWERTOOLS_DEV` (a different console), done per instance.
 */

import { Console } from 'node:console';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { HandlerLogMode } from '../config/local.ts';
import { createLogger, createMetrics } from '../observability/index.ts';

export interface HandlerLogs {
  mode: HandlerLogMode;
  /** The log file, in `file` mode. */
  path: string | null;
  logger(functionName: string): Logger;
  /** Null in `silent` mode: nothing to flush, nothing printed. */
  metrics(functionName: string): Metrics | undefined;
  close(): void;
}

export const METRICS_NAMESPACE = 'CustomerSync';

export function createHandlerLogs(mode: HandlerLogMode, dataDir: string): HandlerLogs {
  let fd: number | null = null;
  let sink: Console | null = null;
  let path: string | null = null;
  if (mode === 'file') {
    const dir = join(dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    path = join(dir, 'handlers.log');
    const file = openSync(path, 'w');
    fd = file;
    // Synchronous writes: log lines must survive an abrupt exit, and they are small.
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          writeSync(file, chunk);
          done();
        } catch (error) {
          done(error instanceof Error ? error : new Error(String(error)));
        }
      },
    });
    sink = new Console({ stdout: stream, stderr: stream });
  }
  const redirect = (instance: Logger | Metrics) => {
    if (sink) Reflect.set(instance, 'console', sink);
  };
  /** Single-metric instances (one per extra dimension set) are new objects: redirect them too. */
  const redirectMetrics = (metrics: Metrics) => {
    redirect(metrics);
    const singleMetric = metrics.singleMetric.bind(metrics);
    Reflect.set(metrics, 'singleMetric', () => {
      const single = singleMetric();
      redirectMetrics(single);
      return single;
    });
  };
  return {
    mode,
    path,
    logger(functionName) {
      const logger = createLogger(functionName, mode === 'silent' ? { level: 'SILENT' } : {});
      redirect(logger);
      return logger;
    },
    metrics(functionName) {
      if (mode === 'silent') return undefined;
      // `createMetrics` plus a logger for Powertools' own warnings ("No application metrics…"), which
      // would otherwise still reach the console.
      const metrics = sink
        ? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: functionName, logger: sink })
        : createMetrics(METRICS_NAMESPACE, functionName);
      redirectMetrics(metrics);
      return metrics;
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
