/**
 * Mollie v2 wire types (OpenAPI `customer-response`, providers.md §3). `name`, `email`, `locale` may be
 * null; `metadata` is any JSON (string, number, object, array or null). HAL `_links` are not needed by
 * the adapter except `next` on list pages.
 */
import * as z from 'zod';

const HalLinkSchema = z.object({ href: z.string().min(1), type: z.string().optional() });

export const MollieCustomerSchema = z.object({
  resource: z.literal('customer').optional(),
  id: z.string().min(1),
  mode: z.enum(['live', 'test']).optional(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  locale: z.string().nullish(),
  metadata: z.unknown().optional(),
  createdAt: z.string().nullish(),
});
export type MollieCustomer = z.infer<typeof MollieCustomerSchema>;

export const MollieCustomerListSchema = z.object({
  count: z.number().int().nonnegative(),
  _embedded: z.object({ customers: z.array(MollieCustomerSchema) }).optional(),
  _links: z.object({ next: HalLinkSchema.nullish() }),
});
export type MollieCustomerList = z.infer<typeof MollieCustomerListSchema>;

export interface MollieCreateCustomerRequest {
  name?: string;
  email?: string;
  locale?: string;
  metadata: Record<string, string | number | boolean | null>;
}

/** Problem object of every Mollie error. */
export const MollieErrorBodySchema = z.object({
  status: z.number().int(),
  title: z.string(),
  detail: z.string(),
  field: z.string().optional(),
});
export type MollieErrorBody = z.infer<typeof MollieErrorBodySchema>;
