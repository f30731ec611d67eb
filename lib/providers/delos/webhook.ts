/**
 * Delos customer webhooks (`hook_type` 3, CLIENT). Delos documents no signing, so a payload is only a
 * hint: the sync worker re-fetches the customer before writing anything. Other hook types (operations,
 * accounts, counterparties) are not about customers and are ignored.
 */
import * as z from 'zod/mini';
import type { CustomerSnapshot } from '../../customer/snapshot.ts';
import { isoFromEpochSeconds } from '../shared.ts';
import { delosStatusFromWebhookCode } from './transform.ts';
import { DelosCustomerWebhookSchema } from './wire.ts';

export const DELOS_CUSTOMER_HOOK_TYPE = 3;

const HookEnvelopeSchema = z.object({
  hook_id: z.string().check(z.minLength(1)),
  hook_type: z.number().check(z.int()),
});

export interface DelosCustomerHint {
  hookId: string;
  providerCustomerId: string;
  status: CustomerSnapshot['status'];
  providerUpdatedAt: string | null;
}

export type DelosWebhookParse =
  | { kind: 'customer'; hint: DelosCustomerHint }
  | { kind: 'ignored'; hookId: string; hookType: number }
  | { kind: 'invalid'; issues: string[] };

const issuesOf = (error: z.core.$ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);

export function parseDelosWebhook(body: unknown): DelosWebhookParse {
  const envelope = HookEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', issues: issuesOf(envelope.error) };
  if (envelope.data.hook_type !== DELOS_CUSTOMER_HOOK_TYPE) {
    return { kind: 'ignored', hookId: envelope.data.hook_id, hookType: envelope.data.hook_type };
  }
  const parsed = DelosCustomerWebhookSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', issues: issuesOf(parsed.error) };
  const client = parsed.data.Data.Client;
  return {
    kind: 'customer',
    hint: {
      hookId: parsed.data.hook_id,
      providerCustomerId: client.cuid,
      status: delosStatusFromWebhookCode(client.status),
      providerUpdatedAt: isoFromEpochSeconds(client.update_at?.seconds),
    },
  };
}
