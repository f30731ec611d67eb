/**
 * What every benchmark runs on: one in-memory DynamoDB Local (tables made from the shared table
 * definition) and the four provider sandboxes in a child process. Child processes are killed however
 * the run ends (error, Ctrl-C), so a crashed bench leaves no Java process or port behind.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import {
  ensureTable,
  type RunningDynamoDbLocal,
  startDynamoDbLocal,
} from '../../lib/local/dynamodb-local.ts';
import { createDynamoClients } from '../../lib/store/client.ts';
import { SandboxControl } from '../../sandbox/index.ts';
import { log } from './log.ts';
import { byProvider } from './providers.ts';

export const REGION = 'us-east-1';

export interface BenchSandbox {
  provider: ProviderName;
  /** Base URL as the adapter wants it. */
  url: string;
  origin: string;
  control: SandboxControl;
}

export interface BenchTable {
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export interface BenchEnvironment {
  dynamo: RunningDynamoDbLocal;
  sandboxes: Record<ProviderName, BenchSandbox>;
  sandboxPid: number | undefined;
  /** A fresh table (own clients) from the shared definition. */
  createTable(prefix: string): Promise<BenchTable>;
  stop(): Promise<void>;
}

const children = new Set<number>();
let cleanupInstalled = false;

/** Kills what this run started if it dies without stopping it (sync: 'exit' allows nothing else). */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stdout.write(`\n${signal}: stopping\n`);
      process.exit(130);
    });
  }
}

export function trackChild(pid: number | undefined): void {
  installCleanup();
  if (pid !== undefined) children.add(pid);
}

export function untrackChild(pid: number | undefined): void {
  if (pid !== undefined) children.delete(pid);
}

async function startSandboxHost(seed: number): Promise<{
  child: ChildProcess;
  sandboxes: Record<ProviderName, { url: string; origin: string }>;
}> {
  const script = fileURLToPath(new URL('../children/sandbox-host.ts', import.meta.url));
  const child = fork(script, [String(seed)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  trackChild(child.pid);
  const sandboxes = await new Promise<Record<ProviderName, { url: string; origin: string }>>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('sandboxes did not start within 60 s')), 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sandbox host exited with ${code} before it was ready`));
      });
      child.once('message', (message: unknown) => {
        clearTimeout(timer);
        const parsed = parseReady(message);
        if (parsed) resolve(parsed);
        else reject(new Error('sandbox host sent an unexpected message'));
      });
    },
  );
  return { child, sandboxes };
}

function parseReady(message: unknown): Record<ProviderName, { url: string; origin: string }> | null {
  if (typeof message !== 'object' || message === null || !('sandboxes' in message)) return null;
  const { sandboxes } = message;
  if (typeof sandboxes !== 'object' || sandboxes === null) return null;
  const result: Partial<Record<ProviderName, { url: string; origin: string }>> = {};
  for (const provider of PROVIDERS) {
    const entry: unknown = Reflect.get(sandboxes, provider);
    if (typeof entry !== 'object' || entry === null) return null;
    const url: unknown = Reflect.get(entry, 'url');
    const origin: unknown = Reflect.get(entry, 'origin');
    if (typeof url !== 'string' || typeof origin !== 'string') return null;
    result[provider] = { url, origin };
  }
  const { palomma, delos, mollie, juspay } = result;
  return palomma && delos && mollie && juspay ? { palomma, delos, mollie, juspay } : null;
}

export async function startEnvironment(options: { sandboxSeed: number }): Promise<BenchEnvironment> {
  installCleanup();
  log('setup', 'starting DynamoDB Local (in memory) and the provider sandboxes');
  const [dynamo, host] = await Promise.all([startDynamoDbLocal(), startSandboxHost(options.sandboxSeed)]);
  trackChild(dynamo.pid);
  const sandboxes = byProvider((provider): BenchSandbox => {
    const started = host.sandboxes[provider];
    return { provider, ...started, control: new SandboxControl(started.origin) };
  });
  log(
    'setup',
    `DynamoDB Local at ${dynamo.endpoint}; sandboxes seeded with ${options.sandboxSeed} customers each`,
  );

  let tables = 0;
  return {
    dynamo,
    sandboxes,
    sandboxPid: host.child.pid,
    async createTable(prefix) {
      const tableName = `bench-${prefix}-${tables++}`;
      const clients = createDynamoClients({ region: REGION, endpoint: dynamo.endpoint });
      await ensureTable(clients.client, tableName);
      return {
        tableName,
        ...clients,
        async drop() {
          await clients.client.send(new DeleteTableCommand({ TableName: tableName }));
          clients.client.destroy();
        },
      };
    },
    async stop() {
      const exited = new Promise<void>((resolve) => {
        if (host.child.exitCode !== null) resolve();
        else host.child.once('exit', () => resolve());
      });
      if (host.child.connected) host.child.disconnect();
      else if (host.child.exitCode === null) host.child.kill('SIGTERM');
      await Promise.all([dynamo.stop(), exited]);
      untrackChild(host.child.pid);
      untrackChild(dynamo.pid);
    },
  };
}
