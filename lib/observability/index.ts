// The tracer is deliberately not re-exported: see tracer.ts. Import it from './tracer.ts'.
export { type CreateLoggerOptions, createLogger, RedactingLogFormatter } from './logger.ts';
export { createMetrics, MetricUnit } from './metrics.ts';
export { isSensitiveKey, REDACTED, type RedactOptions, redact, redactRecord, redactText } from './redact.ts';
