/**
 * Palomma v0 wire types (seeds 000/001, providers.md §1). Tolerant where the docs list no required
 * fields: only `id` must be there; everything else may be absent or null and is normalized as far as it
 * goes. Unknown fields are dropped.
 */
import * as z from 'zod';

export const PalommaCustomerSchema = z.object({
  id: z.string().min(1),
  reference: z.string().nullish(),
  name: z.string().nullish(),
  /** `cc` | `ce` | `nit` per the docs; other values are kept raw, not rejected. */
  documentType: z.string().nullish(),
  documentNumber: z.string().nullish(),
  email: z.string().nullish(),
  /** Colombian national number, e.g. `3013111111`. */
  phoneNumber: z.string().nullish(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
});
export type PalommaCustomer = z.infer<typeof PalommaCustomerSchema>;

export const PalommaCustomerListSchema = z.object({
  items: z.array(PalommaCustomerSchema),
  /** Opaque; null on the last page. */
  cursor: z.string().min(1).nullish(),
  count: z.number().int().nonnegative().nullish(),
});
export type PalommaCustomerList = z.infer<typeof PalommaCustomerListSchema>;

export const PALOMMA_DOCUMENT_TYPES = ['cc', 'ce', 'nit'] as const;
export type PalommaDocumentType = (typeof PALOMMA_DOCUMENT_TYPES)[number];

export interface PalommaCreateCustomerRequest {
  reference: string;
  name: string;
  documentType: PalommaDocumentType;
  documentNumber: string;
  email: string;
  phoneNumber: string;
}

export const PalommaErrorBodySchema = z.object({ message: z.string() });
export type PalommaErrorBody = z.infer<typeof PalommaErrorBodySchema>;
