/**
 * Inputs the reliability tests send: merchant customers every provider accepts, provider webhooks
 * signed the way each provider signs them, and the per-provider field that carries a test's marker
 * (a name) so a provider-side change is recognisable in the stored snapshot.
 */
import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import type { ReliabilityStack } from './stack.ts';

/** A merchant customer that satisfies every provider's create rules (Palomma CC + Colombian phone, Juspay 8+ reference). */
export function customerInput(
  reference: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    reference,
    kind: 'individual',
    givenName: 'Ana',
    familyName: 'Gómez',
    email: `${reference.toLowerCase().replace(/[^a-z0-9]/g, '')}@example.com`,
    phone: '+573013111111',
    document: { type: 'cc', number: '1037551022' },
    locale: 'en_US',
    ...overrides,
  };
}

export async function postCustomer(
  stack: Pick<ReliabilityStack, 'api'>,
  body: unknown,
  idempotencyKey: string,
): Promise<Response> {
  return stack.api('/customers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
}

export interface CreatedCustomer {
  customerId: string;
  reference: string;
  ids: Partial<Record<ProviderName, string>>;
}

/** The body of a 201/202 answer to POST /customers. */
export const CreateAnswerSchema = z.object({
  customerId: z.string(),
  providers: z.record(
    z.string(),
    z.object({ status: z.string(), providerCustomerId: z.string().optional() }),
  ),
});

/** Creates a customer through POST /customers and insists every provider has it (201). */
export async function createCustomer(
  stack: Pick<ReliabilityStack, 'api'>,
  reference: string,
  providers: readonly ProviderName[],
  overrides: Record<string, unknown> = {},
): Promise<CreatedCustomer> {
  const response = await postCustomer(
    stack,
    { customer: customerInput(reference, overrides), providers },
    `create-${reference}`,
  );
  const text = await response.text();
  if (response.status !== 201) throw new Error(`create ${reference}: ${response.status} ${text}`);
  const body = CreateAnswerSchema.parse(JSON.parse(text));
  const ids: Partial<Record<ProviderName, string>> = {};
  for (const provider of providers) {
    const id = body.providers[provider]?.providerCustomerId;
    if (!id) throw new Error(`create ${reference}: no ${provider} id`);
    ids[provider] = id;
  }
  return { customerId: body.customerId, reference, ids };
}

/** The wire fields that set a customer's given name at each provider (Palomma and Mollie keep one full name). */
export function nameFields(provider: ProviderName, givenName: string): Record<string, string> {
  switch (provider) {
    case 'palomma':
    case 'mollie':
      return { name: givenName };
    case 'delos':
      return { name: givenName };
    case 'juspay':
      return { first_name: givenName };
  }
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/**
 * A genuine, authenticated webhook naming `providerCustomerId`, with event id `eventId`, as each
 * provider sends it (see lib/sync/webhook-verify.ts for the schemes).
 */
export function signedWebhook(
  stack: Pick<ReliabilityStack, 'webhookSecrets'>,
  provider: ProviderName,
  providerCustomerId: string,
  eventId: string,
  at: Date = new Date(),
): SignedWebhook {
  const secrets = stack.webhookSecrets;
  switch (provider) {
    case 'palomma': {
      const encoded = Buffer.from(
        JSON.stringify({
          webhookId: eventId,
          timestamp: at.toISOString(),
          event: { customerId: providerCustomerId },
        }),
      ).toString('base64');
      return {
        headers: {
          'content-type': 'application/json',
          'x-encoded-data': encoded,
          'x-signature': createHmac('sha256', secrets.palommaIntegrityKey).update(encoded).digest('hex'),
        },
        body: JSON.stringify({ data: encoded }),
      };
    }
    case 'mollie': {
      const body = JSON.stringify({
        resource: 'event',
        id: eventId,
        type: 'customer.updated',
        entityId: providerCustomerId,
        createdAt: at.toISOString(),
        _embedded: { entity: { customerId: providerCustomerId } },
      });
      return {
        headers: {
          'content-type': 'application/json',
          'x-mollie-signature': `sha256=${createHmac('sha256', secrets.mollieSigningSecret).update(body).digest('hex')}`,
        },
        body,
      };
    }
    case 'juspay':
      return {
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${secrets.juspayUsername}:${secrets.juspayPassword}`).toString('base64')}`,
        },
        body: JSON.stringify({
          id: eventId,
          date_created: at.toISOString(),
          event_name: 'ORDER_SUCCEEDED',
          content: { order: { customer_id: providerCustomerId } },
        }),
      };
    case 'delos':
      return {
        headers: { 'content-type': 'application/json', 'x-webhook-token': secrets.delosToken },
        body: JSON.stringify({
          hook_id: eventId,
          hook_type: 3,
          Data: { Client: { cuid: providerCustomerId } },
        }),
      };
  }
}

export function postWebhook(
  stack: Pick<ReliabilityStack, 'api'>,
  provider: string,
  webhook: SignedWebhook,
): Promise<Response> {
  return stack.api(`/webhooks/${provider}`, {
    key: null,
    method: 'POST',
    headers: webhook.headers,
    body: webhook.body,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The provider customer id a create reported for `provider`. */
export function idAt(customer: CreatedCustomer, provider: ProviderName): string {
  const id = customer.ids[provider];
  if (!id) throw new Error(`${customer.reference} has no ${provider} id`);
  return id;
}

/** The body of a 200 answer to POST /webhooks/{provider}. */
export const WebhookAnswerSchema = z.object({ status: z.enum(['enqueued', 'duplicate', 'ignored']) });
