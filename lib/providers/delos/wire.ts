/**
 * Delos v2 wire types (seed 002, providers.md §2). The seed contradicts itself on id names: the field
 * table says `cuid`/`puid`, the real response `customerId`/`partnerId`. Both are accepted and read into
 * one shape. Money is google.type.Money: `units` an integer (string in proto3 JSON), `nanos` 10^-9;
 * proto3 JSON may omit zero fields, so both default to zero.
 */
import * as z from 'zod';

export const DelosMoneySchema = z.object({
  currencyCode: z.string().min(1),
  units: z.union([z.string().regex(/^[+-]?\d+$/), z.number().int()]).default('0'),
  nanos: z.number().int().default(0),
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
  cuid: z.string().min(1).optional(),
  customerId: z.string().min(1).optional(),
  puid: z.string().nullish(),
  partnerId: z.string().nullish(),
  status: z.string().nullish(),
  createAt: z.string().nullish(),
  updateAt: z.string().nullish(),
  name: z.string().nullish(),
  lastname: z.string().nullish(),
  comment: z.string().nullish(),
  company: z.string().nullish(),
  /** `CORPORATE` | `INDIVIDUAL`. */
  type: z.string().nullish(),
  balance: DelosMoneySchema.nullish(),
  balanceHold: DelosMoneySchema.nullish(),
  /** May be masked (`+44*****123`). */
  phone: z.string().nullish(),
  /** May be masked (`j***@example.com`). */
  email: z.string().nullish(),
});

/** A customer with its id read from whichever naming Delos used. */
export const DelosCustomerSchema = DelosCustomerWireSchema.refine(
  (customer) => customer.cuid !== undefined || customer.customerId !== undefined,
  { message: 'cuid or customerId is required', path: ['cuid'] },
).transform(({ cuid, customerId, puid, partnerId, ...rest }) => ({
  ...rest,
  id: cuid ?? customerId ?? '',
  partnerId: partnerId ?? puid ?? null,
}));
export type DelosCustomer = z.infer<typeof DelosCustomerSchema>;

export const DelosCustomerEnvelopeSchema = z.object({ item: DelosCustomerSchema });
export type DelosCustomerEnvelope = z.infer<typeof DelosCustomerEnvelopeSchema>;

/** `GET /v2/customer` (pagination not captured in the docs; the sandbox's `{items, page, pageSize, total}`). */
export const DelosCustomerListSchema = z.object({
  items: z.array(DelosCustomerSchema),
  page: z.number().int().positive().optional(),
  pageSize: z.number().int().positive().optional(),
  total: z.number().int().nonnegative().optional(),
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
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  accessTtl: z.coerce.number().positive().default(300),
  refreshTtl: z.coerce.number().positive().optional(),
});
export type DelosTokenResponse = z.infer<typeof DelosTokenResponseSchema>;

export interface DelosLoginRequest {
  login: string;
  password: string;
}

/** `{ "error": "..." }`; undocumented statuses may use `message`. */
export const DelosErrorBodySchema = z.union([
  z.object({ error: z.string() }).transform((body) => body.error),
  z.object({ message: z.string() }).transform((body) => body.message),
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

const ProtoTimestampSchema = z.object({ seconds: z.coerce.number().int() }).nullish();

/** Customer webhook (`hook_type` 3, CLIENT): a hint to re-fetch, never data to store as is. */
export const DelosCustomerWebhookSchema = z.object({
  hook_id: z.string().min(1),
  hook_type: z.literal(3),
  Data: z.object({
    Client: z.object({
      cuid: z.string().min(1),
      status: z.number().int(),
      create_at: ProtoTimestampSchema,
      update_at: ProtoTimestampSchema,
      onboarding_at: ProtoTimestampSchema,
      name: z.string().nullish(),
      lastname: z.string().nullish(),
    }),
  }),
});
export type DelosCustomerWebhook = z.infer<typeof DelosCustomerWebhookSchema>;
