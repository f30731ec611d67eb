/**
 * POST /customers body: `{ customer: CustomerInput, providers: ProviderName[] }`, plus the required
 * `Idempotency-Key` header. Validation (with every provider's create rules) is in lib/sync/create-customer.ts;
 * this schema is the shape, for documentation (OpenAPI) and clients.
 */
import * as z from 'zod/mini';
import { CustomerInputSchema } from '../../lib/customer/input.ts';
import { ProviderNameSchema } from '../../lib/customer/snapshot.ts';

export const CreateCustomerBodySchema = z.strictObject({
  customer: CustomerInputSchema,
  providers: z.array(ProviderNameSchema).check(z.minLength(1)),
});
export type CreateCustomerBody = z.infer<typeof CreateCustomerBodySchema>;

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
