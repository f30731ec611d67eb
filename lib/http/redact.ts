/**
 * Scrubs provider error text before it goes into an error message or a log line. Provider messages are
 * about the request, but some echo input back ("The email 'x@y.z' is invalid"): the shared pattern net of
 * lib/observability masks emails, phone/document numbers, tokens and keys, and the exact secrets the
 * client holds are removed first whatever they look like. Long texts are cut: an error is not a dump.
 */
import { redactText as redactPatterns } from '../observability/redact.ts';

export const MAX_PROVIDER_MESSAGE_LENGTH = 300;

export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  result = redactPatterns(result);
  return result.length > MAX_PROVIDER_MESSAGE_LENGTH
    ? `${result.slice(0, MAX_PROVIDER_MESSAGE_LENGTH)}…`
    : result;
}
