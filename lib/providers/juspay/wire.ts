/**
 * Juspay Express Checkout wire types (seed 004, providers.md §4, official SDK models). The optional
 * `juspay.client_auth_token` of create/get answers is a short-lived credential: not declared here, so
 * zod drops it and it never reaches a snapshot or a log.
 */
import * as z from 'zod';

/** Codes and numbers are strings in the docs; some SDKs send numbers. Both read as text. */
const Digits = z.union([z.string(), z.number().int().nonnegative().transform(String)]).nullish();

export const JuspayCustomerSchema = z.object({
  id: z.string().min(1),
  object: z.literal('customer').optional(),
  object_reference_id: z.string().nullish(),
  mobile_country_code: Digits,
  mobile_number: Digits,
  email_address: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  date_created: z.string().nullish(),
  last_updated: z.string().nullish(),
});
export type JuspayCustomer = z.infer<typeof JuspayCustomerSchema>;

/** `GET /customers` (PHP SDK `listAll`): offset pagination. */
export const JuspayCustomerListSchema = z.object({
  list: z.array(JuspayCustomerSchema),
  count: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().optional(),
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
    status: z.string().optional(),
    error: z.boolean().optional(),
    error_code: z.string().optional(),
    error_message: z.string().optional(),
    user_message: z.string().optional(),
    error_info: z
      .object({
        code: z.string().optional(),
        category: z.string().optional(),
        user_message: z.string().optional(),
        developer_message: z.string().optional(),
        fields: z.array(z.object({ field_name: z.string(), reason: z.string().optional() })).optional(),
      })
      .optional(),
  })
  .refine(
    (body) =>
      body.error_code !== undefined || body.error_info !== undefined || body.error_message !== undefined,
  );
export type JuspayErrorBody = z.infer<typeof JuspayErrorBodySchema>;
