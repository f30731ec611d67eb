/** Builders and SDK instrumentation shared by the store's integration tests. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import * as z from 'zod';
import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../../../lib/customer/snapshot.ts';
import { createDynamoClients } from '../../../lib/store/client.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import { DueLinkReader } from '../../../lib/store/due-links.ts';
import type { ItemKey } from '../../../lib/store/keys.ts';
import { testEndpoint } from '../../helpers/dynamodb.ts';

export const RETENTION_DAYS = 30;

export function makeSnapshot(overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return {
    provider: 'palomma',
    providerCustomerId: 'pal_1',
    reference: 'ref-1',
    kind: 'individual',
    displayName: 'Ana Gómez',
    givenName: 'Ana',
    familyName: 'Gómez',
    companyName: null,
    email: 'ana@example.com',
    phone: { e164: '+573013111111', raw: '3013111111' },
    document: { type: 'cc', number: '1234567890', rawType: 'CC' },
    locale: 'es_CO',
    status: { normalized: 'active', raw: 'ACTIVE' },
    balances: [{ name: 'balance', currency: 'COP', amount: '2835.800000002' }],
    // Sized like a real snapshot with metadata: the link item is over 1 KB, the sync item is not.
    metadata: { segment: 'gold', notes: 'n'.repeat(700) },
    providerCreatedAt: '2024-01-01T00:00:00.000Z',
    providerUpdatedAt: '2024-06-01T00:00:00.000Z',
    fetchedAt: '2024-06-02T00:00:00.000Z',
    ...overrides,
  };
}

export function makeInput(overrides: Partial<CustomerInput> = {}): CustomerInput {
  return {
    reference: `ref-${ulid()}`,
    kind: 'individual',
    givenName: 'Ana',
    email: 'ana@example.com',
    ...overrides,
  };
}

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
}

export type Interceptor = (command: { name: string; input: Record<string, unknown> }) => Promise<void> | void;

/**
 * A store on its own client whose every command is recorded (name, input, output) and, when
 * `capacity` is set, asked for ConsumedCapacity per index. `intercept` runs before each command is sent
 * (to interleave another writer or throw an AWS error the way the SDK would surface it).
 */
export function instrumentedStore(
  tableName: string,
  options: { capacity?: boolean; intercept?: Interceptor; maxAttempts?: number } = {},
) {
  const { client, doc } = createDynamoClients({
    region: 'us-east-1',
    endpoint: testEndpoint(),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  });
  const sent: SentCommand[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const input = record(args.input);
      if (options.capacity) input.ReturnConsumedCapacity = 'INDEXES';
      await options.intercept?.({ name, input });
      const result = await next(args);
      sent.push({ name, input, output: record(result.output) });
      return result;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const store = new CustomerStore({ doc, tableName, historyRetentionDays: RETENTION_DAYS });
  const dueLinks = new DueLinkReader({ doc, tableName });
  return { store, dueLinks, doc, sent, destroy: () => client.destroy() };
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new TypeError('expected an object');
  // Same object, not a copy: the middleware adds ReturnConsumedCapacity to the input actually sent.
  return value as Record<string, unknown>;
}

export async function rawItem(
  doc: ReturnType<typeof createDynamoClients>['doc'],
  tableName: string,
  key: ItemKey,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
}

/** A customer id whose shard (by `shardOf`) is `shard`: tests fill every shard on purpose, not by luck. */
export function idInShard(shardOf: (id: string) => number, shard: number): string {
  for (;;) {
    const id = ulid();
    if (shardOf(id) === shard) return id;
  }
}

export async function linkedCustomer(
  store: CustomerStore,
  args: { provider?: ProviderName; providerCustomerId?: string; now?: string } = {},
) {
  const customerId = ulid();
  const provider = args.provider ?? 'palomma';
  const providerCustomerId = args.providerCustomerId ?? `${provider}_${ulid()}`;
  const now = args.now ?? '2024-06-01T00:00:00.000Z';
  await store.createCustomer({ customerId, input: makeInput(), providers: [], now });
  await store.linkProvider({ customerId, provider, providerCustomerId, now });
  return { customerId, provider, providerCustomerId };
}

const ConsumedCapacitySchema = z.object({
  CapacityUnits: z.number(),
  GlobalSecondaryIndexes: z.record(z.string(), z.object({ CapacityUnits: z.number() })).optional(),
});

const consumed = (commands: SentCommand[]) =>
  commands.flatMap((command) =>
    [command.output.ConsumedCapacity ?? []].flat().map((capacity) => ConsumedCapacitySchema.parse(capacity)),
  );

/** Capacity units (table and indexes) the recorded commands consumed, as DynamoDB reported them. */
export function capacityUnits(commands: SentCommand[]): number {
  return consumed(commands).reduce((sum, capacity) => sum + capacity.CapacityUnits, 0);
}

/** Of those, the units each index consumed, by index name (only indexes that consumed any). */
export function indexUnits(commands: SentCommand[]): Record<string, number> {
  const units: Record<string, number> = {};
  for (const capacity of consumed(commands)) {
    for (const [name, index] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
      if (index.CapacityUnits > 0) units[name] = (units[name] ?? 0) + index.CapacityUnits;
    }
  }
  return units;
}

/** The commands that write (reads made to decide a write are not what a write costs). */
export const writesOf = (commands: SentCommand[]): SentCommand[] =>
  commands.filter((command) => !/^(Get|BatchGet|Query)/.test(command.name));

/** The key of the item a write command writes: its `Key`, or its `Item`'s keys for a put. */
export function writtenKey(input: Record<string, unknown>): { pk: unknown; sk: unknown } | undefined {
  const target = input.Key ?? input.Item;
  if (typeof target !== 'object' || target === null) return undefined;
  return { pk: Reflect.get(target, 'pk'), sk: Reflect.get(target, 'sk') };
}

/** True for a put or update of the item whose sort key starts with `prefix` (`PROVIDER#`, `SYNC#`). */
export const writesItem = (prefix: string) => (command: { name: string; input: Record<string, unknown> }) =>
  /^(Put|Update)Item/.test(command.name) && String(writtenKey(command.input)?.sk ?? '').startsWith(prefix);
