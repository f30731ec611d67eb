/**
 * Juspay Express Checkout wire types (seed 004, providers.md §4, official SDK models). The optional
 * `juspay.client_auth_token` of create/get answers is a short-lived credential: not declared here, so
 * zod drops it and it never reaches a snapshot or a log.
 */
import * as z from 'zod/mini';

/** Codes and numbers are strings in the docs; some SDKs send numbers. Both read as text. */
const Digits = z.nullish(
  z.union([z.string(), z.pipe(z.number().check(z.int(), z.nonnegative()), z.transform(String))]),
);

export const JuspayCustomerSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.optional(z.literal('customer')),
  object_reference_id: z.nullish(z.string()),
  mobile_country_code: Digits,
  mobile_number: Digits,
  email_address: z.nullish(z.string()),
  first_name: z.nullish(z.string()),
  last_name: z.nullish(z.string()),
  date_created: z.nullish(z.string()),
  last_updated: z.nullish(z.string()),
});
export type JuspayCustomer = z.infer<typeof JuspayCustomerSchema>;

/** `GET /customers` (PHP SDK `listAll`): offset pagination. */
export const JuspayCustomerListSchema = z.object({
  list: z.array(JuspayCustomerSchema),
  count: z.number().check(z.int(), z.nonnegative()),
  offset: z.number().check(z.int(), z.nonnegative()),
  total: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type JuspayCustomerList = z.infer<typeof JuspayCustomerListSchema>;

/** Form fields of `POST /customers` (application/x-www-form-urlencoded). */
export interface JuspayCreateCustomerRequest extends Record<string, string | undefined> {
  object_reference_id: string;
  mobile_number: string;
  mobile_country_code: string;
  email_address?: string;
  first_name?: string;
  last_name?: string;
}

export const JuspayErrorBodySchema = z
  .object({
    status: z.optional(z.string()),
    error: z.optional(z.boolean()),
    error_code: z.optional(z.string()),
    error_message: z.optional(z.string()),
    user_message: z.optional(z.string()),
    error_info: z.optional(
      z.object({
        code: z.optional(z.string()),
        category: z.optional(z.string()),
        user_message: z.optional(z.string()),
        developer_message: z.optional(z.string()),
        fields: z.optional(z.array(z.object({ field_name: z.string(), reason: z.optional(z.string()) }))),
      }),
    ),
  })
  .check(
    z.refine(
      (body) =>
        body.error_code !== undefined || body.error_info !== undefined || body.error_message !== undefined,
    ),
  );
export type JuspayErrorBody = z.infer<typeof JuspayErrorBodySchema>;
