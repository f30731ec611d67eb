/** Small helpers over the four providers, typed without casts. */
import type { ProviderName } from '../../lib/customer/snapshot.ts';

export function byProvider<T>(make: (provider: ProviderName) => T): Record<ProviderName, T> {
  return { palomma: make('palomma'), delos: make('delos'), mollie: make('mollie'), juspay: make('juspay') };
}
