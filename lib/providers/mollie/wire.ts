/**
 * Mollie v2 wire types (OpenAPI `customer-response`, providers.md §3). `name`, `email`, `locale` may be
 * null; `metadata` is any JSON (string, number, object, array or null). HAL `_links` are not needed by
 * the adapter except `next` on list pages.
 */
import * as z from 'zod/mini';

const HalLinkSchema = z.object({ href: z.string().check(z.minLength(1)), type: z.optional(z.string()) });

export const MollieCustomerSchema = z.object({
  resource: z.optional(z.literal('customer')),
  id: z.string().check(z.minLength(1)),
  mode: z.optional(z.enum(['live', 'test'])),
  name: z.nullish(z.string()),
  email: z.nullish(z.string()),
  locale: z.nullish(z.string()),
  metadata: z.optional(z.unknown()),
  createdAt: z.nullish(z.string()),
});
export type MollieCustomer = z.infer<typeof MollieCustomerSchema>;

export const MollieCustomerListSchema = z.object({
  count: z.number().check(z.int(), z.nonnegative()),
  _embedded: z.optional(z.object({ customers: z.array(MollieCustomerSchema) })),
  _links: z.object({ next: z.nullish(HalLinkSchema) }),
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
  status: z.number().check(z.int()),
  title: z.string(),
  detail: z.string(),
  field: z.optional(z.string()),
});
export type MollieErrorBody = z.infer<typeof MollieErrorBodySchema>;
