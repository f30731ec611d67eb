/**
 * Consumed capacity of everything a DynamoDB client sends, read from DynamoDB's own
 * `ReturnConsumedCapacity: INDEXES` answer (DynamoDB Local returns it, per table and per index, with
 * transactions counted twice as in AWS). Added as client middleware so the product code under test is
 * unchanged: it only sees one more field in each response.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export interface CapacityTally {
  /** Calls per command name (`GetItemCommand`, `TransactWriteItemsCommand`...). */
  calls: Record<string, number>;
  writeUnits: number;
  /** Of `writeUnits`, what the base table consumed (the rest went to index maintenance). */
  writeUnitsTable: number;
  readUnits: number;
  /** Wall time spent in each command (marshalling, HTTP, unmarshalling), summed over calls. */
  timeMs: Record<string, number>;
}

export interface CapacityRecorder {
  reset(): void;
  snapshot(): CapacityTally;
}

interface CapacityEntry {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
}

function entries(value: unknown): CapacityEntry[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((entry): CapacityEntry[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const units: unknown = Reflect.get(entry, 'CapacityUnits');
    const table: unknown = Reflect.get(entry, 'Table');
    const tableUnits: unknown =
      typeof table === 'object' && table !== null ? Reflect.get(table, 'CapacityUnits') : undefined;
    return [
      {
        ...(typeof units === 'number' ? { CapacityUnits: units } : {}),
        ...(typeof tableUnits === 'number' ? { Table: { CapacityUnits: tableUnits } } : {}),
      },
    ];
  });
}

export function recordCapacity(client: DynamoDBClient): CapacityRecorder {
  const empty = (): CapacityTally => ({
    calls: {},
    writeUnits: 0,
    writeUnitsTable: 0,
    readUnits: 0,
    timeMs: {},
  });
  let tally = empty();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input: unknown = args.input;
      if (typeof input === 'object' && input !== null)
        Reflect.set(input, 'ReturnConsumedCapacity', 'INDEXES');
      const started = performance.now();
      const result = await next(args);
      const name = context.commandName ?? 'unknown';
      tally.calls[name] = (tally.calls[name] ?? 0) + 1;
      tally.timeMs[name] = (tally.timeMs[name] ?? 0) + (performance.now() - started);
      const output: unknown = result.output;
      const consumed =
        typeof output === 'object' && output !== null ? entries(Reflect.get(output, 'ConsumedCapacity')) : [];
      for (const entry of consumed) {
        const units = entry.CapacityUnits ?? 0;
        if (WRITE_COMMANDS.has(name)) {
          tally.writeUnits += units;
          tally.writeUnitsTable += entry.Table?.CapacityUnits ?? units;
        } else tally.readUnits += units;
      }
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity', override: true },
  );
  return {
    reset() {
      tally = empty();
    },
    snapshot() {
      return { ...tally, calls: { ...tally.calls }, timeMs: { ...tally.timeMs } };
    },
  };
}
