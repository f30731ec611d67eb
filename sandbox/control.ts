/**
 * Typed client for a sandbox's `/__control` API (see server.ts): what tests, the local runtime and the
 * benchmarks use to seed customers, change them "at the provider", inject faults and read stats.
 */
import * as z from 'zod';
import type { FaultKind, RouteName } from './server.ts';
import type { WireRecord } from './support.ts';

export interface FaultOptions {
  route: RouteName | '*';
  kind: FaultKind;
  /** How many matching requests it hits; default: until clearFaults(). */
  times?: number;
  /** `error` only (default 500). */
  status?: number;
  /** `latency` only (default 1000). */
  ms?: number;
  /** `rate-limit` only (default 1). */
  retryAfterSeconds?: number;
}

const WireRecordSchema = z.record(z.string(), z.unknown());
const StatsSchema = z.object({
  requests: z.record(z.string(), z.number()),
  statuses: z.record(z.string(), z.number()),
  created: z.number(),
  customers: z.number(),
});
export type SandboxStatsSnapshot = z.infer<typeof StatsSchema>;

const FaultSchema = z.object({
  id: z.string(),
  route: z.string(),
  kind: z.string(),
  remaining: z.number().nullable(),
});
export type InjectedFault = z.infer<typeof FaultSchema>;

const ControlErrorSchema = z.object({ error: z.string() });
const WebhookDeliverySchema = z.object({
  hookId: z.string(),
  status: z.number().nullable(),
  error: z.string().optional(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
const WebhookStateSchema = z.object({
  url: z.string().nullable(),
  deliveries: z.array(WebhookDeliverySchema),
});

export class SandboxControlError extends Error {
  override readonly name = 'SandboxControlError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class SandboxControl {
  /** Origin of the sandbox (`http://127.0.0.1:4101`); control routes live at `/__control`. */
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin.replace(/\/+$/, '');
  }

  /** Inserts a customer in the provider's wire shape (missing fields get defaults); returns it. */
  async insertCustomer(wire: WireRecord): Promise<WireRecord> {
    return WireRecordSchema.parse(await this.#call('POST', '/customers', wire));
  }

  /** Changes fields as if changed at the provider; bumps its updated time where it has one. */
  async patchCustomer(id: string, fields: WireRecord): Promise<WireRecord> {
    return WireRecordSchema.parse(await this.#call('PATCH', `/customers/${encodeURIComponent(id)}`, fields));
  }

  /** The provider deletes the customer: 404 from then on (Mollie: 410). */
  async deleteCustomer(id: string): Promise<void> {
    await this.#call('DELETE', `/customers/${encodeURIComponent(id)}`);
  }

  async getCustomer(id: string): Promise<WireRecord | null> {
    try {
      return WireRecordSchema.parse(await this.#call('GET', `/customers/${encodeURIComponent(id)}`));
    } catch (error) {
      if (error instanceof SandboxControlError && error.status === 404) return null;
      throw error;
    }
  }

  /** Every live customer in wire shape. */
  async listCustomers(): Promise<WireRecord[]> {
    return z.array(WireRecordSchema).parse(await this.#call('GET', '/customers'));
  }

  async addFault(fault: FaultOptions): Promise<InjectedFault> {
    return FaultSchema.parse(await this.#call('POST', '/faults', fault));
  }

  async listFaults(): Promise<InjectedFault[]> {
    return z.array(FaultSchema).parse(await this.#call('GET', '/faults'));
  }

  async clearFaults(): Promise<void> {
    await this.#call('DELETE', '/faults');
  }

  /** Requests beyond `requestsPerSecond` get 429 + Retry-After; null lifts the limit. */
  async setRateLimit(requestsPerSecond: number | null, retryAfterSeconds?: number): Promise<void> {
    await this.#call('PUT', '/rate-limit', {
      requestsPerSecond,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }

  /** Old credentials get 401 from now on; returns the new ones (same shape as SANDBOX_CREDENTIALS). */
  async rotateCredentials(): Promise<Record<string, string>> {
    return z.record(z.string(), z.string()).parse(await this.#call('POST', '/rotate-credentials'));
  }

  /** Delos: every issued access token is now 401 (refresh tokens still work). Returns how many. */
  async expireTokens(): Promise<number> {
    return z.object({ expired: z.number() }).parse(await this.#call('POST', '/expire-tokens')).expired;
  }

  /**
   * Delos only: where to POST customer hooks (`hook_type: 3`) on every create and change; null stops
   * them. Control inserts and patches wait for their hook to be delivered.
   */
  async setWebhook(url: string | null): Promise<void> {
    await this.#call('PUT', '/webhook', { url });
  }

  /** Delos only: the target and every delivery so far (after in-flight ones finish). */
  async webhookDeliveries(): Promise<WebhookDelivery[]> {
    return WebhookStateSchema.parse(await this.#call('GET', '/webhook')).deliveries;
  }

  async stats(): Promise<SandboxStatsSnapshot> {
    return StatsSchema.parse(await this.#call('GET', '/stats'));
  }

  /** Back to the start state: seed data, original credentials, no faults, no rate limit, zero stats. */
  async reset(): Promise<void> {
    await this.#call('POST', '/reset');
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.origin}/__control${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const value: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const parsed = ControlErrorSchema.safeParse(value);
      throw new SandboxControlError(
        response.status,
        `sandbox control ${method} ${path}: ${response.status}${parsed.success ? ` ${parsed.data.error}` : ''}`,
      );
    }
    return value;
  }
}
