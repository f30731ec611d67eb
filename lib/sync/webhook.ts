/**
 * POST /webhooks/{provider}: authenticate, then enqueue a re-fetch of the customer the event names.
 * It answers fast and never calls a provider; the worker re-fetches before anything is written, so a
 * webhook body is never data.
 *
 * Answers: 200 for every accepted event (`enqueued`, `duplicate`, or `ignored` when it names no linked
 * customer: providers retry anything else, and Mollie asks for 200 even for unknown ids); 401 problem
 * for missing/bad credentials or an event time outside ±`toleranceSeconds` (replay), nothing enqueued;
 * 404 for a provider that is not ours (or not enabled); 400 for an authenticated but unreadable body;
 * 413 past 256 KiB. Dedupe: event ids via webhook-dedupe.ts; a failed enqueue releases the id and
 * answers 500, so the provider's retry is processed.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpProblem, jsonResponse, toProblemResponse } from '../api/problem.ts';
import type { WebhookSecrets } from '../config/webhooks.ts';
import { type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import type { CustomerStoreApi, LinkRef } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { bodyText, lowerCaseHeaders } from './http.ts';
import { noopSyncMetrics, type SyncMetrics } from './metrics.ts';
import type { SyncQueue } from './queue.ts';
import type { WebhookDedupe } from './webhook-dedupe.ts';
import {
  type VerifiedWebhook,
  WEBHOOK_VERIFIERS,
  WebhookAuthError,
  WebhookPayloadError,
  type WebhookRequest,
} from './webhook-verify.ts';

export interface WebhookDeps {
  store: Pick<CustomerStoreApi, 'findByProviderId' | 'findByReference' | 'getCustomer'>;
  queue: SyncQueue;
  dedupe: WebhookDedupe;
  /** Current verification secrets (cached by the caller; see lib/config/webhooks.ts). */
  secrets: () => Promise<WebhookSecrets>;
  clock: Clock;
  /** Replay window around the event's own timestamp. */
  toleranceSeconds: number;
  /** How long an event id is remembered. */
  dedupeTtlSeconds: number;
  /** Providers whose webhooks this deployment takes; default every provider. */
  providers?: readonly ProviderName[];
  metrics?: SyncMetrics;
  /** Told why a webhook was refused (safe to log: never credentials or payload). */
  onRejected?: (provider: ProviderName, reason: string) => void;
}

export interface WebhookHttpRequest {
  /** The `{provider}` path parameter. */
  provider: string | undefined;
  headers: Record<string, string | undefined> | null;
  query: Record<string, string | undefined> | null;
  body: string | null;
  isBase64Encoded?: boolean;
}

export type WebhookResult = 'enqueued' | 'duplicate' | 'ignored';

export const MAX_WEBHOOK_BYTES = 256 * 1024;
/** Unsigned Mollie hints are deduplicated briefly only: they carry no event id to remember. */
const UNSIGNED_HINT_DEDUPE_SECONDS = 60;

export async function handleWebhook(
  deps: WebhookDeps,
  request: WebhookHttpRequest,
): Promise<APIGatewayProxyResult> {
  try {
    const provider = parseProvider(deps, request.provider);
    const body = bodyText(request.body, request.isBase64Encoded);
    if (Buffer.byteLength(body) > MAX_WEBHOOK_BYTES)
      throw new HttpProblem(413, 'The webhook body is too large.');
    const result = await ingestWebhook(deps, provider, {
      headers: lowerCaseHeaders(request.headers),
      query: lowerCaseKeysKept(request.query),
      body,
    });
    return jsonResponse(200, { status: result });
  } catch (error) {
    return toProblemResponse(error);
  }
}

function parseProvider(deps: WebhookDeps, value: string | undefined): ProviderName {
  const parsed = ProviderNameSchema.safeParse(value);
  if (!parsed.success || (deps.providers && !deps.providers.includes(parsed.data))) {
    throw new HttpProblem(404, 'No webhook endpoint for this provider.');
  }
  return parsed.data;
}

function lowerCaseKeysKept(query: Record<string, string | undefined> | null): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) result[name] = value;
  return result;
}

export async function ingestWebhook(
  deps: WebhookDeps,
  provider: ProviderName,
  request: WebhookRequest,
): Promise<WebhookResult> {
  const metrics = deps.metrics ?? noopSyncMetrics;
  const reject = (reason: string, status: 400 | 401): never => {
    metrics.count('WebhooksRejected', provider);
    deps.onRejected?.(provider, reason);
    throw new HttpProblem(
      status,
      status === 401 ? 'The webhook could not be authenticated.' : 'The webhook payload is not readable.',
      status === 401 ? { headers: { 'www-authenticate': wwwAuthenticate(provider) } } : {},
    );
  };

  let verified: VerifiedWebhook;
  try {
    verified = WEBHOOK_VERIFIERS[provider](request, await deps.secrets());
  } catch (error) {
    if (error instanceof WebhookAuthError) return reject(error.message, 401);
    if (error instanceof WebhookPayloadError) return reject(error.message, 400);
    throw error;
  }
  const now = deps.clock.now();
  if (verified.occurredAt) {
    const skewSeconds = Math.abs(now.getTime() - verified.occurredAt.getTime()) / 1000;
    if (skewSeconds > deps.toleranceSeconds) return reject('event time outside the replay window', 401);
  }

  const link = verified.providerCustomerId
    ? await findLink(deps, provider, verified.providerCustomerId)
    : null;
  if (link?.status !== 'active') {
    metrics.count('WebhooksAccepted', provider);
    return 'ignored';
  }

  const dedupeId = verified.unsignedHint ? `hint:${verified.providerCustomerId}` : verified.eventId;
  const ttl = verified.unsignedHint ? UNSIGNED_HINT_DEDUPE_SECONDS : deps.dedupeTtlSeconds;
  if (dedupeId !== null && !(await deps.dedupe.claim(provider, dedupeId, now, ttl))) {
    metrics.count('WebhooksDuplicate', provider);
    return 'duplicate';
  }
  try {
    await deps.queue.send([{ customerId: link.customerId, provider, reason: 'webhook' }]);
  } catch (error) {
    if (dedupeId !== null) await deps.dedupe.release(provider, dedupeId).catch(() => {});
    throw error;
  }
  metrics.count('WebhooksAccepted', provider);
  return 'enqueued';
}

/**
 * The link the event's customer id belongs to. Juspay orders may name the merchant's own customer id
 * (our reference, Juspay's `object_reference_id`) rather than Juspay's `cst_` id: try both.
 */
async function findLink(
  deps: WebhookDeps,
  provider: ProviderName,
  providerCustomerId: string,
): Promise<LinkRef | null> {
  const link = await deps.store.findByProviderId(provider, providerCustomerId);
  if (link || provider !== 'juspay') return link;
  const profile = await deps.store.findByReference(providerCustomerId);
  if (!profile) return null;
  const record = await deps.store.getCustomer(profile.customerId);
  return record?.links.find((item) => item.provider === provider) ?? null;
}

function wwwAuthenticate(provider: ProviderName): string {
  return provider === 'juspay' ? 'Basic realm="webhooks"' : `Signature realm="webhooks/${provider}"`;
}
