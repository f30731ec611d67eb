/**
 * What a test expects to exist, checked against what does: the customers table (scanned, not read
 * through the store, so a store bug cannot hide itself) and the provider sandboxes' own records.
 *
 * Lost: an expected customer without its profile, an expected provider link without a provider id,
 * a link whose provider customer the provider does not have, a gap in a link's history versions.
 * Duplicated: two profiles for one reference, two links to one provider customer, a provider customer
 * no link knows (a second create at the provider), history holding the same content twice in a row or
 * more items than versions. Stale (with `compareLatest`): a stored latest snapshot that differs from the
 * provider's current state.
 */
import {
  type CustomerSnapshot,
  CustomerSnapshotSchema,
  type ProviderName,
} from '../../../lib/customer/snapshot.ts';
import { contentHash } from '../../../lib/store/content-hash.ts';
import { LinkItemSchema } from '../../../lib/store/items.ts';
import type { WireRecord } from '../../../sandbox/support.ts';
import { count } from './counters.ts';
import { type ReliabilityStack, scanAll } from './stack.ts';

export interface LedgerEntry {
  reference: string;
  providers: readonly ProviderName[];
}

export interface LedgerReport {
  checked: number;
  lost: string[];
  duplicated: string[];
  stale: string[];
}

type Stack = Pick<ReliabilityStack, 'doc' | 'tableName' | 'sandboxes' | 'adapters' | 'providers'>;

/** A provider customer's id in its wire shape (Delos names it `cuid` or `customerId`). */
export function wireId(record: WireRecord): string | null {
  for (const key of ['id', 'cuid', 'customerId']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

export class Ledger {
  readonly #entries = new Map<string, LedgerEntry>();
  /** Provider customers that exist without a link on purpose (inserted by the test at the provider). */
  readonly #unlinked = new Set<string>();

  expect(reference: string, providers: readonly ProviderName[]): void {
    this.#entries.set(reference, { reference, providers });
  }

  allowUnlinked(provider: ProviderName, providerCustomerId: string): void {
    this.#unlinked.add(`${provider}:${providerCustomerId}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): LedgerEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * Checks every expected customer and adds the result to the run's tallies (customers checked,
   * items lost, items duplicated).
   */
  async verify(stack: Stack, options: { compareLatest?: boolean } = {}): Promise<LedgerReport> {
    const report: LedgerReport = { checked: this.#entries.size, lost: [], duplicated: [], stale: [] };
    const items = await scanAll(stack.doc, stack.tableName);
    const profilesByReference = new Map<string, string[]>();
    const links = new Map<string, ReturnType<typeof LinkItemSchema.parse>>();
    const history = new Map<string, Array<{ version: number; snapshot: CustomerSnapshot }>>();
    const linksByProviderId = new Map<string, string[]>();

    for (const item of items) {
      const sk = String(item.sk);
      const pk = String(item.pk);
      if (!pk.startsWith('CUSTOMER#')) continue;
      const customerId = pk.slice('CUSTOMER#'.length);
      if (sk === 'PROFILE') {
        const reference = String(item.reference);
        profilesByReference.set(reference, [...(profilesByReference.get(reference) ?? []), customerId]);
      } else if (sk.startsWith('PROVIDER#')) {
        const link = LinkItemSchema.parse(item);
        links.set(`${customerId}|${link.provider}`, link);
        if (link.providerCustomerId) {
          const key = `${link.provider}:${link.providerCustomerId}`;
          linksByProviderId.set(key, [...(linksByProviderId.get(key) ?? []), customerId]);
        }
      } else if (sk.startsWith('HISTORY#')) {
        const [, provider] = sk.split('#');
        const key = `${customerId}|${provider}`;
        const entry = {
          version: Number(item.version),
          snapshot: CustomerSnapshotSchema.parse(item.snapshot),
        };
        history.set(key, [...(history.get(key) ?? []), entry]);
      }
    }

    const atProvider = new Map<ProviderName, Set<string>>();
    for (const provider of stack.providers) {
      const wire = await stack.sandboxes[provider].control.listCustomers();
      atProvider.set(provider, new Set(wire.map(wireId).filter((id): id is string => id !== null)));
    }

    for (const entry of this.#entries.values()) {
      const owners = profilesByReference.get(entry.reference) ?? [];
      if (owners.length === 0) {
        report.lost.push(`profile ${entry.reference}`);
        continue;
      }
      if (owners.length > 1) report.duplicated.push(`profile ${entry.reference} ×${owners.length}`);
      const customerId = owners[0] ?? '';
      for (const provider of entry.providers) {
        const link = links.get(`${customerId}|${provider}`);
        if (!link?.providerCustomerId) {
          report.lost.push(`${provider} link of ${entry.reference}`);
          continue;
        }
        if (!atProvider.get(provider)?.has(link.providerCustomerId)) {
          report.lost.push(`${provider} customer of ${entry.reference} (not at the provider)`);
        }
        // History as the product defines it: the versions the link replaced, then its current one.
        const versions = (history.get(`${customerId}|${provider}`) ?? [])
          .filter((item) => item.version < link.version)
          .concat(link.snapshot ? [{ version: link.version, snapshot: link.snapshot }] : [])
          .sort((a, b) => a.version - b.version);
        versions.forEach((item, index) => {
          if (item.version !== index + 1)
            report.lost.push(`${provider} history v${index + 1} of ${entry.reference}`);
          const previous = versions[index - 1];
          if (previous && contentHash(previous.snapshot) === contentHash(item.snapshot)) {
            report.duplicated.push(
              `${provider} history v${item.version} of ${entry.reference} repeats v${previous.version}`,
            );
          }
        });
        if (versions.length > link.version)
          report.duplicated.push(`${provider} history of ${entry.reference}`);
        if (versions.length < link.version) report.lost.push(`${provider} history of ${entry.reference}`);
        const last = versions.at(-1);
        if (link.snapshot && last && contentHash(last.snapshot) !== contentHash(link.snapshot)) {
          report.lost.push(`${provider} latest of ${entry.reference} is not its last history item`);
        }
        if (options.compareLatest) {
          const adapter = stack.adapters[provider];
          const current = adapter ? await adapter.getCustomer(link.providerCustomerId) : null;
          if (!current || !link.snapshot || contentHash(current) !== contentHash(link.snapshot)) {
            report.stale.push(`${provider} latest of ${entry.reference}`);
          }
        }
      }
    }

    for (const [key, customers] of linksByProviderId) {
      if (customers.length > 1) report.duplicated.push(`${key} linked ×${customers.length}`);
    }
    for (const [provider, ids] of atProvider) {
      for (const id of ids) {
        const key = `${provider}:${id}`;
        if (!linksByProviderId.has(key) && !this.#unlinked.has(key)) {
          report.duplicated.push(`${key} exists at the provider but no link knows it`);
        }
      }
    }

    count({
      customersChecked: report.checked,
      itemsLost: report.lost.length,
      itemsDuplicated: report.duplicated.length,
    });
    return report;
  }
}
