/** Messages between benchmark 4 and its child (bench/children/read-api-host.ts), parsed on receipt. */
import * as z from 'zod';

export const ReadHostArgsSchema = z.object({
  endpoint: z.string(),
  region: z.string(),
  tableName: z.string(),
  historyRetentionDays: z.number(),
  metricsNamespace: z.string(),
  apiKey: z.string(),
  ids: z.array(z.string()).min(1),
  warmup: z.number().int().nonnegative(),
  samples: z.number().int().positive(),
});
export type ReadHostArgs = z.infer<typeof ReadHostArgsSchema>;

export const ReadHostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), message: z.string() }),
  z.object({
    type: z.literal('measured'),
    handlerMs: z.array(z.number()),
    bareMs: z.array(z.number()),
    bareItems: z.number(),
    non200: z.number(),
    responseBytes: z.number(),
    gatewayUrl: z.string(),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ReadHostMessage = z.infer<typeof ReadHostMessageSchema>;
