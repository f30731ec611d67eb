/**
 * The one way handlers get a logger: Powertools' Logger with a formatter that passes the message and
 * every attribute (persistent keys, extra objects, errors, the logged event) through `redact`, so no call
 * site can leak an email, a phone, a document number or a credential by forgetting to scrub it.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, LogLevel, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactRecord, redactText } from './redact.ts';

/** Powertools' standard JSON shape (its own formatter is not exported), with redaction on top. */
export class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(
    attributes: UnformattedAttributes,
    additionalLogAttributes: LogAttributes,
  ): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: redactText(attributes.message ?? ''),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const extra = redactRecord(additionalLogAttributes, { formatError: (error) => this.formatError(error) });
    return new LogItem({ attributes: base }).addAttributes(extra);
  }
}

export interface CreateLoggerOptions {
  /** Defaults to Powertools' own resolution (`POWERTOOLS_LOG_LEVEL`, then INFO). */
  level?: LogLevel;
  /** Attributes printed on every line (e.g. `{ provider }`); redacted like the rest. */
  persistentKeys?: LogAttributes;
}

/** Create once at module scope (cold start), not per invocation. */
export function createLogger(serviceName: string, options: CreateLoggerOptions = {}): Logger {
  return new Logger({
    serviceName,
    logFormatter: new RedactingLogFormatter(),
    ...(options.level === undefined ? {} : { logLevel: options.level }),
    ...(options.persistentKeys === undefined ? {} : { persistentKeys: options.persistentKeys }),
  });
}
