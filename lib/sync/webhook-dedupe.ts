/**
 * Webhook event-id deduplication: a conditional put of `WEBHOOK#<provider>#<eventId>` into the
 * idempotency table, expiring through its TTL attribute (`expiration`). Chosen over Powertools
 * idempotency because there is no result to replay, only "seen or not", and one conditional write is
 * the cheapest answer to that. Expired markers still in the table (TTL deletes lazily) count as unseen.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProviderName } from '../customer/snapshot.ts';
import { IDEMPOTENCY_TABLE } from '../store/idempotency-table.ts';

export interface WebhookDedupe {
  /** True the first time an event id is claimed (within the TTL), false for a repeat. */
  claim(provider: ProviderName, eventId: string, now: Date, ttlSeconds: number): Promise<boolean>;
  /** Forgets a claim whose processing failed, so the provider's retry is processed. */
  release(provider: ProviderName, eventId: string): Promise<void>;
}

export const webhookMarkerId = (provider: ProviderName, eventId: string): string =>
  `WEBHOOK#${provider}#${eventId}`;

export class DynamoWebhookDedupe implements WebhookDedupe {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string }) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async claim(provider: ProviderName, eventId: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            [IDEMPOTENCY_TABLE.partitionKey]: webhookMarkerId(provider, eventId),
            [IDEMPOTENCY_TABLE.ttlAttribute]: nowSeconds + ttlSeconds,
            kind: 'webhook',
            receivedAt: now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(#id) OR #expiration < :now',
          ExpressionAttributeNames: {
            '#id': IDEMPOTENCY_TABLE.partitionKey,
            '#expiration': IDEMPOTENCY_TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(provider: ProviderName, eventId: string): Promise<void> {
    await this.#doc.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { [IDEMPOTENCY_TABLE.partitionKey]: webhookMarkerId(provider, eventId) },
      }),
    );
  }
}

/** For unit tests and single-process runs. */
export class InMemoryWebhookDedupe implements WebhookDedupe {
  readonly #seen = new Map<string, number>();
  async claim(provider: ProviderName, eventId: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const id = webhookMarkerId(provider, eventId);
    const expires = this.#seen.get(id);
    if (expires !== undefined && expires >= now.getTime()) return false;
    this.#seen.set(id, now.getTime() + ttlSeconds * 1000);
    return true;
  }
  async release(provider: ProviderName, eventId: string): Promise<void> {
    this.#seen.delete(webhookMarkerId(provider, eventId));
  }
}
