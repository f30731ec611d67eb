/**
 * Readable views of API answers (`get`, `create`, `history`). The API's own response schemas parse the
 * answer; an answer that does not fit (an older or newer API) is still shown, as dotted-path rows.
 */
import * as z from 'zod/mini';
import {
  type CustomerView,
  CustomerViewSchema,
  HistoryPageViewSchema,
  type ProviderLinkView,
} from '../api/schemas.ts';
import { ProviderNameSchema } from '../customer/snapshot.ts';
import { flattenRows, orEmpty, type Row, snapshotRows, table, twoColumns } from './format.ts';

export function profileRows(customer: CustomerView): Row[] {
  const { profile } = customer;
  return [
    ['id', customer.id],
    ['reference', customer.reference],
    ['kind', profile.kind],
    ['givenName', orEmpty(profile.givenName)],
    ['familyName', orEmpty(profile.familyName)],
    ['companyName', orEmpty(profile.companyName)],
    ['email', orEmpty(profile.email)],
    ['phone', orEmpty(profile.phone)],
    ['document', profile.document ? `${profile.document.type} ${profile.document.number}` : '-'],
    ['locale', orEmpty(profile.locale)],
    ['createdAt', customer.createdAt],
    ['updatedAt', customer.updatedAt],
  ];
}

export function linksTable(links: readonly ProviderLinkView[]): string {
  if (links.length === 0) return 'No provider links.';
  return table(
    ['PROVIDER', 'STATUS', 'PROVIDER ID', 'VERSION', 'LAST SYNC', 'NEXT DUE', 'LAST ERROR'],
    links.map((link) => [
      link.provider,
      link.status,
      orEmpty(link.providerCustomerId),
      String(link.version),
      orEmpty(link.sync?.lastSuccessAt),
      orEmpty(link.sync?.nextDueAt),
      link.sync?.lastError ? `${link.sync.lastError.name} (${link.sync.consecutiveFailures}x)` : '-',
    ]),
  );
}

/** Profile, the links table, then each provider's latest snapshot (unless `snapshots` is false). */
export function formatCustomer(body: unknown, options: { snapshots?: boolean } = {}): string {
  const parsed = CustomerViewSchema.safeParse(body);
  if (!parsed.success) return twoColumns(flattenRows(body));
  const customer = parsed.data;
  const parts = [twoColumns(profileRows(customer)), '', linksTable(customer.providers)];
  if (options.snapshots !== false) {
    for (const link of customer.providers) {
      if (!link.snapshot) continue;
      parts.push(
        '',
        `── ${link.provider} (version ${link.version}) ──`,
        twoColumns(snapshotRows(link.snapshot)),
      );
    }
  }
  return parts.join('\n');
}

export function formatHistory(body: unknown): string {
  const parsed = HistoryPageViewSchema.safeParse(body);
  if (!parsed.success) return twoColumns(flattenRows(body));
  const { items, cursor } = parsed.data;
  const lines = [
    items.length === 0
      ? 'No history.'
      : table(
          ['VERSION', 'RECORDED AT', 'PROVIDER UPDATED', 'STATUS', 'NAME'],
          items.map((entry) => [
            String(entry.version),
            entry.recordedAt,
            orEmpty(entry.snapshot.providerUpdatedAt),
            entry.snapshot.status.normalized,
            orEmpty(entry.snapshot.displayName),
          ]),
        ),
  ];
  if (cursor !== null) lines.push('', `More: --cursor ${cursor}`);
  return lines.join('\n');
}

/** The answer of `POST /customers` (lib/sync/create-customer.ts): 201 all created, 202 otherwise. */
export const CreateResultViewSchema = z.object({
  customerId: z.string().check(z.minLength(1)),
  reference: z.string(),
  providers: z.partialRecord(
    ProviderNameSchema,
    z.object({
      status: z.enum(['created', 'pending', 'failed']),
      providerCustomerId: z.optional(z.string()),
      error: z.optional(z.object({ name: z.string(), message: z.string() })),
    }),
  ),
});
export type CreateResultView = z.infer<typeof CreateResultViewSchema>;

export function formatCreateResult(result: CreateResultView): string {
  const entries = Object.entries(result.providers);
  const lines = [
    twoColumns([
      ['customerId', result.customerId],
      ['reference', result.reference],
    ]),
    '',
    table(
      ['PROVIDER', 'STATUS', 'PROVIDER ID', 'ERROR'],
      entries.map(([provider, item]) => [
        provider,
        item.status,
        orEmpty(item.providerCustomerId),
        item.error ? `${item.error.name}: ${item.error.message}` : '-',
      ]),
    ),
  ];
  if (entries.some(([, item]) => item.status === 'pending')) {
    lines.push('', 'Pending providers are completed by the scheduler (or by re-running with the same key).');
  }
  if (entries.some(([, item]) => item.status === 'failed')) {
    lines.push(
      '',
      'Failed providers rejected the customer: fix the cause, then re-run (a new key if the data changed).',
    );
  }
  return lines.join('\n');
}
