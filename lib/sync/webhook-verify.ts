/**
 * Authenticating and reading provider webhooks. Each verifier checks the provider's credential in
 * constant time, then parses only what sync needs from the payload: the event id (dedupe), the event
 * time (replay window) and the provider customer id it names (what to re-fetch). The payload is a hint:
 * nothing in it is ever stored as customer data.
 *
 * - Palomma: `X-Signature` = HMAC-SHA256(`X-Encoded-Data` header string, integrity key), hex or base64
 *   (the docs' example is cut off before the encoding: both are accepted). The event is the
 *   base64-decoded header; the raw body is not used. Customer: `event.customerId` where present
 *   (Palomma documents no customer events).
 * - Mollie next-gen: `X-Mollie-Signature` = HMAC-SHA256(raw body, signing secret), hex, optional
 *   `sha256=` prefix. Customer: `_embedded.entity.customerId`, or `entityId` when it is a `cst_` id.
 * - Mollie classic: an unsigned form `id=tr_…`. It proves nothing, and we never trust webhook data, so
 *   it is accepted as a hint whatever the configuration: re-fetch only when the id is itself a linked
 *   customer id. (Classic webhooks are per payment/order; customers emit none, so in practice these
 *   are answered 200 and dropped, which is what Mollie asks for.)
 * - Juspay: HTTP Basic with the username/password set in Juspay's dashboard. Customer:
 *   `content.order.customer_id`.
 * - Delos: documents no signing, so the URL we register carries a per-environment secret token:
 *   header `X-Webhook-Token` (preferred) or query `?token=` (for when only a URL can be registered; the
 *   API Gateway access log must then not log query strings). Customer: `Data.Client.cuid` of
 *   `hook_type` 3 (CLIENT); other hook types carry no customer.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import type { WebhookSecrets } from '../config/webhooks.ts';
import type { ProviderName } from '../customer/snapshot.ts';

export interface WebhookRequest {
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Raw body text (already base64-decoded if API Gateway encoded it). */
  body: string;
}

export interface VerifiedWebhook {
  /** Null for events without an id (Mollie classic); those are not deduplicated by id. */
  eventId: string | null;
  /** The event's own time where it has one (replay window). */
  occurredAt: Date | null;
  /** The provider customer id the event names, if any. */
  providerCustomerId: string | null;
  /** Mollie classic: the unsigned `id` hint. */
  unsignedHint?: boolean;
}

/** Authentication failed; `reason` is safe to log (never the credential). */
export class WebhookAuthError extends Error {
  override readonly name = 'WebhookAuthError';
}

/** Authenticated, but not a payload we can read. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

const MAX_EVENT_ID = 200;
const EventId = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_EVENT_ID));
const OptionalId = z.catch(
  z.nullish(z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_EVENT_ID))),
  null,
);
const Timestamp = z.catch(z.nullish(z.union([z.string(), z.number()])), null);

/** Equal-length digests, so the comparison time says nothing about where the inputs differ. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Decodes a signature given as hex or base64 (standard or URL-safe), with an optional `sha256=`. */
export function decodeSignature(signature: string): Buffer | null {
  const value = signature.trim().replace(/^sha256=/i, '');
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

function hmacMatches(key: string, data: string, signature: string | undefined): boolean {
  if (!signature) throw new WebhookAuthError('signature missing');
  const provided = decodeSignature(signature);
  const expected = createHmac('sha256', key).update(data, 'utf8').digest();
  // Compare even when the signature does not decode, so timing does not tell the two apart.
  const matches = timingSafeEqual(expected, provided ?? Buffer.alloc(32));
  return provided !== null && matches;
}

/** ISO strings, epoch seconds or milliseconds (as numbers or numeric strings); null if unreadable. */
export function parseEventTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const numeric = Number(text);
    const ms = numeric > 1e12 ? numeric : numeric * 1000;
    return Number.isFinite(ms) ? new Date(ms) : null;
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new WebhookPayloadError('payload is not JSON');
  }
}

function readPayload<T extends z.ZodMiniType>(schema: T, json: unknown): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new WebhookPayloadError(`payload lacks ${[...new Set(paths)].join(', ')}`);
  }
  return parsed.data;
}

const PalommaWebhookSchema = z.object({
  webhookId: EventId,
  timestamp: Timestamp,
  event: z.catch(z.nullish(z.object({ customerId: OptionalId })), null),
});

export function verifyPalomma(request: WebhookRequest, secrets: WebhookSecrets): VerifiedWebhook {
  const key = secrets.palomma?.integrityKey;
  if (!key) throw new WebhookAuthError('no integrity key configured');
  const encoded = request.headers['x-encoded-data'];
  if (!encoded) throw new WebhookAuthError('X-Encoded-Data missing');
  if (!hmacMatches(key.reveal(), encoded, request.headers['x-signature'])) {
    throw new WebhookAuthError('signature mismatch');
  }
  const payload = readPayload(
    PalommaWebhookSchema,
    parseJson(Buffer.from(encoded, 'base64').toString('utf8')),
  );
  return {
    eventId: payload.webhookId,
    occurredAt: parseEventTime(payload.timestamp),
    providerCustomerId: payload.event?.customerId ?? null,
  };
}

const MollieEventSchema = z.object({
  id: EventId,
  entityId: OptionalId,
  createdAt: Timestamp,
  _embedded: z.catch(
    z.nullish(z.object({ entity: z.catch(z.nullish(z.object({ customerId: OptionalId })), null) })),
    null,
  ),
});

const MOLLIE_CLASSIC_BODY = /^id=([A-Za-z0-9_]{1,64})$/;

export function verifyMollie(request: WebhookRequest, secrets: WebhookSecrets): VerifiedWebhook {
  const signature = request.headers['x-mollie-signature'];
  const classic = MOLLIE_CLASSIC_BODY.exec(request.body.trim());
  if (!signature && classic?.[1]) {
    return { eventId: null, occurredAt: null, providerCustomerId: classic[1], unsignedHint: true };
  }
  const secret = secrets.mollie?.signingSecret;
  if (!secret) throw new WebhookAuthError('no signing secret configured');
  if (!hmacMatches(secret.reveal(), request.body, signature))
    throw new WebhookAuthError('signature mismatch');
  const event = readPayload(MollieEventSchema, parseJson(request.body));
  const fromEntity = event._embedded?.entity?.customerId ?? null;
  const entityIsCustomer = event.entityId?.startsWith('cst_') ? event.entityId : null;
  return {
    eventId: event.id,
    occurredAt: parseEventTime(event.createdAt),
    providerCustomerId: fromEntity ?? entityIsCustomer,
  };
}

const JuspayWebhookSchema = z.object({
  id: EventId,
  date_created: Timestamp,
  content: z.catch(
    z.nullish(z.object({ order: z.catch(z.nullish(z.object({ customer_id: OptionalId })), null) })),
    null,
  ),
});

export function verifyJuspay(request: WebhookRequest, secrets: WebhookSecrets): VerifiedWebhook {
  const expected = secrets.juspay;
  if (!expected) throw new WebhookAuthError('no basic-auth credentials configured');
  const header = request.headers.authorization;
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new WebhookAuthError('basic credentials missing');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  // Both compared every time (no short-circuit), so timing does not reveal which one is wrong.
  const userOk = constantTimeEqual(username, expected.username.reveal());
  const passwordOk = constantTimeEqual(password, expected.password.reveal());
  if (!(userOk && passwordOk)) throw new WebhookAuthError('basic credentials mismatch');
  const payload = readPayload(JuspayWebhookSchema, parseJson(request.body));
  return {
    eventId: payload.id,
    occurredAt: parseEventTime(payload.date_created),
    providerCustomerId: payload.content?.order?.customer_id ?? null,
  };
}

const DelosClientSchema = z.object({ cuid: OptionalId, customerId: OptionalId });
const DelosWebhookSchema = z.object({
  hook_id: EventId,
  hook_type: z.coerce.number().check(z.int()),
  Data: z.catch(
    z.nullish(
      z.object({
        Client: z.catch(z.nullish(DelosClientSchema), null),
        client: z.catch(z.nullish(DelosClientSchema), null),
      }),
    ),
    null,
  ),
  data: z.catch(z.nullish(z.object({ Client: z.catch(z.nullish(DelosClientSchema), null) })), null),
});

/** Delos `hook_type` of customer (CLIENT) events. */
export const DELOS_CLIENT_HOOK = 3;

export function verifyDelos(request: WebhookRequest, secrets: WebhookSecrets): VerifiedWebhook {
  const token = secrets.delos?.token;
  if (!token) throw new WebhookAuthError('no token configured');
  const provided = request.headers['x-webhook-token'] ?? request.query.token;
  if (!provided) throw new WebhookAuthError('token missing');
  if (!constantTimeEqual(provided, token.reveal())) throw new WebhookAuthError('token mismatch');
  const payload = readPayload(DelosWebhookSchema, parseJson(request.body));
  const client = payload.Data?.Client ?? payload.Data?.client ?? payload.data?.Client ?? null;
  return {
    eventId: payload.hook_id,
    // `update_at` is the customer's change time, not the delivery's: a late retry is still genuine,
    // so Delos events are protected by the token and the event-id dedupe, not a time window.
    occurredAt: null,
    providerCustomerId:
      payload.hook_type === DELOS_CLIENT_HOOK ? (client?.cuid ?? client?.customerId ?? null) : null,
  };
}

export const WEBHOOK_VERIFIERS: Record<
  ProviderName,
  (request: WebhookRequest, secrets: WebhookSecrets) => VerifiedWebhook
> = {
  palomma: verifyPalomma,
  mollie: verifyMollie,
  juspay: verifyJuspay,
  delos: verifyDelos,
};
