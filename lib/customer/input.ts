/**
 * The merchant's canonical customer, as sent to `POST /customers` and the CLI. Unlike provider data,
 * this is validated strictly: every bad field is reported, by path, before any provider is called.
 */
import * as z from 'zod';
import { DocumentTypeSchema } from './snapshot.ts';

export const CustomerInputSchema = z
  .object({
    /** The merchant's own id for this customer; becomes Palomma `reference` / Juspay `object_reference_id`. */
    reference: z.string().trim().min(1).max(128),
    kind: z.enum(['individual', 'company']).default('individual'),
    givenName: z.string().trim().min(1).max(64).optional(),
    familyName: z.string().trim().max(64).optional(),
    companyName: z.string().trim().min(1).max(128).optional(),
    email: z.email().max(128).optional(),
    /** E.164, e.g. `+573013111111`. */
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +573013111111')
      .optional(),
    document: z
      .object({
        type: DocumentTypeSchema,
        number: z
          .string()
          .trim()
          .regex(/^[0-9A-Za-z-]{3,20}$/),
      })
      .strict()
      .optional(),
    locale: z
      .string()
      .regex(/^[a-z]{2}_[A-Z]{2}$/, 'must look like en_US')
      .optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict();
export type CustomerInput = z.infer<typeof CustomerInputSchema>;
