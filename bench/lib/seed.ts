/**
 * Bench data: customers that exist at a sandbox, linked in the store by batch writes (no transactions,
 * no adapter calls), so setup stays fast and is not part of what is measured. Items are built with the
 * store's own item builders, so they are exactly what `linkProvider` would have stored.
 */
import { ulid } from 'ulid';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import type { CustomerStore } from '../../lib/store/customer-store.ts';
import { type Item, linkItem, profileItem, syncItem } from '../../lib/store/items.ts';
import { providerIdGuardKey, referenceGuardKey } from '../../lib/store/keys.ts';
import type { SandboxControl } from '../../sandbox/index.ts';

export interface LinkedCustomer {
  customerId: string;
  provider: ProviderName;
  providerCustomerId: string;
}

/** Ids of the customers a sandbox holds, in listing order (Delos names its id `cuid` or `customerId`). */
export async function sandboxCustomerIds(control: SandboxControl): Promise<string[]> {
  const customers = await control.listCustomers();
  return customers.flatMap((customer) => {
    const id = customer.cuid ?? customer.customerId ?? customer.id;
    return typeof id === 'string' ? [id] : [];
  });
}

let sequence = 0;

/** New store customers, one per provider customer id, with an active link due now. */
export function linkedCustomers(
  provider: ProviderName,
  providerCustomerIds: readonly string[],
): LinkedCustomer[] {
  return providerCustomerIds.map((providerCustomerId) => ({
    customerId: ulid(),
    provider,
    providerCustomerId,
  }));
}

export function linkItems(customers: readonly LinkedCustomer[], now: string): Item[] {
  return customers.flatMap(({ customerId, provider, providerCustomerId }) => {
    // Synthetic profile: no personal data in bench tables either.
    const reference = `bench-${process.pid}-${++sequence}`;
    const profile = {
      customerId,
      reference,
      input: {
        reference,
        kind: 'individual' as const,
        givenName: 'Bench',
        familyName: `Customer ${sequence}`,
      },
      createdAt: now,
      updatedAt: now,
    };
    return [
      profileItem(profile),
      { ...referenceGuardKey(reference), customerId },
      { ...providerIdGuardKey(provider, providerCustomerId), customerId },
      linkItem({ customerId, provider, status: 'active', linkedAt: now, providerCustomerId }),
      syncItem({ customerId, provider, status: 'active', nextDueAt: now, providerCustomerId }),
    ];
  });
}

export async function linkInStore(store: CustomerStore, customers: readonly LinkedCustomer[], now: string) {
  await store.batchPut(linkItems(customers, now), { concurrency: 16 });
}
