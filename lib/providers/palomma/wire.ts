/**
 * Palomma v0 wire types (seeds 000/001, providers.md §1). Tolerant where the docs list no required
 * fields: only `id` must be there; everything else may be absent or null and is normalized as far as it
 * goes. Unknown fields are dropped.
 */
import * as z from 'zod/mini';

export const PalommaCustomerSchema = z.object({
  id: z.string().check(z.minLength(1)),
  reference: z.nullish(z.string()),
  name: z.nullish(z.string()),
  /** `cc` | `ce` | `nit` per the docs; other values are kept raw, not rejected. */
  documentType: z.nullish(z.string()),
  documentNumber: z.nullish(z.string()),
  email: z.nullish(z.string()),
  /** Colombian national number, e.g. `3013111111`. */
  phoneNumber: z.nullish(z.string()),
  createdAt: z.nullish(z.string()),
  updatedAt: z.nullish(z.string()),
});
export type PalommaCustomer = z.infer<typeof PalommaCustomerSchema>;

export const PalommaCustomerListSchema = z.object({
  items: z.array(PalommaCustomerSchema),
  /** Opaque; null on the last page. */
  cursor: z.nullish(z.string().check(z.minLength(1))),
  count: z.nullish(z.number().check(z.int(), z.nonnegative())),
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
