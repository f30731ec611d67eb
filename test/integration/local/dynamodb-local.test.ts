import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  dynamoEnvironment,
  dynamoJvmOptions,
  startDynamoDbLocal,
} from '../../../lib/local/dynamodb-local.ts';

/** Running, and not a zombie waiting to be reaped (which a signal-0 probe would still find). */
function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The names of a process's threads (Linux), which the JVM sets after what each thread does. */
function threadNames(pid: number): Set<string> {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return new Set(tasks.map((task) => readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim()));
}

/** Processes whose command line holds `words` in a row (Linux), e.g. a watchdog's name and pid. */
function processesWith(...words: string[]): number[] {
  const wanted = words.join('\0');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(wanted) && running(Number(entry));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

async function waitUntil(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const waitUntilGone = (pid: number) => waitUntil(() => !running(pid));

const fixture = fileURLToPath(new URL('./fixtures/dynamodb-local-child.ts', import.meta.url));

/** Runs the fixture to its end; its first output line is the JVM's pid. */
function runFixture(...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [fixture, ...args], { timeout: 60_000 }, (_error, stdout) =>
      done({ code: child.exitCode, stdout }),
    );
  });
}

describe('DynamoDB Local JVM settings', () => {
  it('adds the serial collector to whatever the environment gives', () => {
    expect(dynamoJvmOptions(undefined)).toBe('-XX:+UseSerialGC');
    expect(dynamoJvmOptions('  ')).toBe('-XX:+UseSerialGC');
    expect(dynamoJvmOptions('-Xmx1g')).toBe('-Xmx1g -XX:+UseSerialGC');
  });

  it('keeps a collector chosen in the environment (two would stop the JVM)', () => {
    expect(dynamoJvmOptions('-Xmx1g -XX:+UseG1GC')).toBe('-Xmx1g -XX:+UseG1GC');
    expect(dynamoJvmOptions('-XX:+UseParallelGC')).toBe('-XX:+UseParallelGC');
  });

  it('starts DynamoDB Local without telemetry unless the environment asks for it', () => {
    expect(dynamoEnvironment({ PATH: '/bin' })).toEqual({
      PATH: '/bin',
      JDK_JAVA_OPTIONS: '-XX:+UseSerialGC',
      DDB_LOCAL_TELEMETRY: '0',
    });
    expect(dynamoEnvironment({ DDB_LOCAL_TELEMETRY: '1' }).DDB_LOCAL_TELEMETRY).toBe('1');
  });
});

describe('startDynamoDbLocal', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip;

  onLinux('runs the JVM with the serial collector, and stop() leaves no watchdog behind', async () => {
    const dynamo = await startDynamoDbLocal();
    const pid = dynamo.pid ?? 0;
    try {
      const names = threadNames(pid);
      expect(names.has('VM Thread')).toBe(true); // it is a JVM, and its threads are named
      expect([...names].filter((name) => name.startsWith('G1 '))).toEqual([]);
      expect(processesWith('watchdog', String(pid))).toHaveLength(1);
    } finally {
      await dynamo.stop();
    }
    expect(running(pid)).toBe(false);
    expect(processesWith('watchdog', String(pid))).toEqual([]);
  });

  // With only unref'd handles left, a pending stop() would let Node exit mid-await: code 13 for an ES
  // module's top-level await (`npm start`), a silent 0 for jest's global teardown (no results written).
  onLinux('keeps a process with nothing else to do alive until stop() returns', async () => {
    const { code, stdout } = await runFixture('stop');
    expect({ code, stdout: stdout.split('\n').slice(1) }).toEqual({ code: 0, stdout: ['stopped', ''] });
    const pid = Number(stdout.split('\n')[0]);
    expect(running(pid)).toBe(false);
    expect(processesWith('watchdog', String(pid))).toEqual([]);
  });

  onLinux('takes its JVM down with it when the process dies without calling stop()', async () => {
    const { code, stdout } = await runFixture();
    expect(code).not.toBe(0);
    const pid = Number(stdout.trim().split('\n')[0]);
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    await waitUntilGone(pid);
    expect(running(pid)).toBe(false);
  });

  onLinux('takes its JVM down when the process is killed (SIGKILL runs no exit handler)', async () => {
    const child = spawn(process.execPath, [fixture, 'hang'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(Number(out.split('\n')[0]));
      });
      child.once('exit', (code) => fail(new Error(`fixture exited with ${code} before printing a pid`)));
    });
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    expect(running(pid)).toBe(true);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    await waitUntilGone(pid);
    expect(running(pid)).toBe(false);
    // The watchdog exits right after its kill; on a busy machine that can be a moment after the JVM.
    await waitUntil(() => processesWith('watchdog', String(pid)).length === 0);
    expect(processesWith('watchdog', String(pid))).toEqual([]);
  });
});
