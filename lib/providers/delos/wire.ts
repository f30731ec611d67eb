/**
 * Delos v2 wire types (seed 002, providers.md §2). The seed contradicts itself on id names: the field
 * table says `cuid`/`puid`, the real response `customerId`/`partnerId`. Both are accepted and read into
 * one shape. Money is google.type.Money: `units` an integer (string in proto3 JSON), `nanos` 10^-9;
 * proto3 JSON may omit zero fields, so both default to zero.
 */
import * as z from 'zod/mini';

export const DelosMoneySchema = z.object({
  currencyCode: z.string().check(z.minLength(1)),
  units: z._default(z.union([z.string().check(z.regex(/^[+-]?\d+$/)), z.number().check(z.int())]), '0'),
  nanos: z._default(z.number().check(z.int()), 0),
});
export type DelosMoney = z.infer<typeof DelosMoneySchema>;

/** REST statuses (seed 002). */
export const DELOS_STATUSES = [
  'NEW',
  'READY_FOR_MODERATION',
  'MODERATED',
  'VERIFY',
  'ACCEPT',
  'REJECT',
  'BANNED',
] as const;
export type DelosStatus = (typeof DELOS_STATUSES)[number];

const DelosCustomerWireSchema = z.object({
  cuid: z.optional(z.string().check(z.minLength(1))),
  customerId: z.optional(z.string().check(z.minLength(1))),
  puid: z.nullish(z.string()),
  partnerId: z.nullish(z.string()),
  status: z.nullish(z.string()),
  createAt: z.nullish(z.string()),
  updateAt: z.nullish(z.string()),
  name: z.nullish(z.string()),
  lastname: z.nullish(z.string()),
  comment: z.nullish(z.string()),
  company: z.nullish(z.string()),
  /** `CORPORATE` | `INDIVIDUAL`. */
  type: z.nullish(z.string()),
  balance: z.nullish(DelosMoneySchema),
  balanceHold: z.nullish(DelosMoneySchema),
  /** May be masked (`+44*****123`). */
  phone: z.nullish(z.string()),
  /** May be masked (`j***@example.com`). */
  email: z.nullish(z.string()),
});

/** A customer with its id read from whichever naming Delos used. */
export const DelosCustomerSchema = z.pipe(
  DelosCustomerWireSchema.check(
    z.refine((customer) => customer.cuid !== undefined || customer.customerId !== undefined, {
      message: 'cuid or customerId is required',
      path: ['cuid'],
    }),
  ),
  z.transform(({ cuid, customerId, puid, partnerId, ...rest }) => ({
    ...rest,
    id: cuid ?? customerId ?? '',
    partnerId: partnerId ?? puid ?? null,
  })),
);
export type DelosCustomer = z.infer<typeof DelosCustomerSchema>;

export const DelosCustomerEnvelopeSchema = z.object({ item: DelosCustomerSchema });
export type DelosCustomerEnvelope = z.infer<typeof DelosCustomerEnvelopeSchema>;

/** `GET /v2/customer` (pagination not captured in the docs; the sandbox's `{items, page, pageSize, total}`). */
export const DelosCustomerListSchema = z.object({
  items: z.array(DelosCustomerSchema),
  page: z.optional(z.number().check(z.int(), z.positive())),
  pageSize: z.optional(z.number().check(z.int(), z.positive())),
  total: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type DelosCustomerList = z.infer<typeof DelosCustomerListSchema>;

export interface DelosCreateCustomerRequest {
  name: string;
  lastname?: string;
  /** "Internal notes": carries our create marker (see delosCreateMarker). */
  comment?: string;
  company?: string;
  type: 'INDIVIDUAL' | 'CORPORATE';
}

/** `POST /v2/auth/login` and `GET /v2/auth/refresh/{token}`; the FAQ's 5-minute lifetime is the fallback. */
export const DelosTokenResponseSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.optional(z.string().check(z.minLength(1))),
  accessTtl: z._default(z.coerce.number().check(z.positive()), 300),
  refreshTtl: z.optional(z.coerce.number().check(z.positive())),
});
export type DelosTokenResponse = z.infer<typeof DelosTokenResponseSchema>;

export interface DelosLoginRequest {
  login: string;
  password: string;
}

/** `{ "error": "..." }`; undocumented statuses may use `message`. */
export const DelosErrorBodySchema = z.union([
  z.pipe(
    z.object({ error: z.string() }),
    z.transform((body) => body.error),
  ),
  z.pipe(
    z.object({ message: z.string() }),
    z.transform((body) => body.message),
  ),
]);
export type DelosErrorBody = z.input<typeof DelosErrorBodySchema>;

/** Webhook integer status codes (docs: Receive Customer). 1 is MODERATION there, READY_FOR_MODERATION in REST. */
export const DELOS_WEBHOOK_STATUS_CODES = {
  0: 'NEW',
  1: 'READY_FOR_MODERATION',
  2: 'MODERATED',
  3: 'ACCEPT',
  4: 'REJECT',
  5: 'BANNED',
  6: 'VERIFY',
} as const satisfies Record<number, DelosStatus>;

const ProtoTimestampSchema = z.nullish(z.object({ seconds: z.coerce.number().check(z.int()) }));

/** Customer webhook (`hook_type` 3, CLIENT): a hint to re-fetch, never data to store as is. */
export const DelosCustomerWebhookSchema = z.object({
  hook_id: z.string().check(z.minLength(1)),
  hook_type: z.literal(3),
  Data: z.object({
    Client: z.object({
      cuid: z.string().check(z.minLength(1)),
      status: z.number().check(z.int()),
      create_at: ProtoTimestampSchema,
      update_at: ProtoTimestampSchema,
      onboarding_at: ProtoTimestampSchema,
      name: z.nullish(z.string()),
      lastname: z.nullish(z.string()),
    }),
  }),
});
export type DelosCustomerWebhook = z.infer<typeof DelosCustomerWebhookSchema>;
