/**
 * The merchant's canonical customer, as sent to `POST /customers` and the CLI. Unlike provider data,
 * this is validated strictly: every bad field is reported, by path, before any provider is called.
 */
import * as z from 'zod/mini';
import { DocumentTypeSchema } from './snapshot.ts';

export const CustomerInputSchema = z.strictObject({
  /** The merchant's own id for this customer; becomes Palomma `reference` / Juspay `object_reference_id`. */
  reference: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  kind: z._default(z.enum(['individual', 'company']), 'individual'),
  givenName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
  familyName: z.optional(z.string().check(z.trim(), z.maxLength(64))),
  companyName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
  email: z.optional(z.email().check(z.maxLength(128))),
  /** E.164, e.g. `+573013111111`. */
  phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +573013111111'))),
  document: z.optional(
    z.strictObject({
      type: DocumentTypeSchema,
      number: z.string().check(z.trim(), z.regex(/^[0-9A-Za-z-]{3,20}$/)),
    }),
  ),
  locale: z.optional(z.string().check(z.regex(/^[a-z]{2}_[A-Z]{2}$/, 'must look like en_US'))),
  metadata: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});
export type CustomerInput = z.infer<typeof CustomerInputSchema>;
