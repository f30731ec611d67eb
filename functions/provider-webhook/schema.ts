/** POST /webhooks/{provider}: the path parameter. Bodies are provider-specific (lib/sync/webhook-verify.ts). */
import * as z from 'zod/mini';
import { ProviderNameSchema } from '../../lib/customer/snapshot.ts';

export const WebhookPathSchema = z.object({ provider: ProviderNameSchema });
export type WebhookPath = z.infer<typeof WebhookPathSchema>;
