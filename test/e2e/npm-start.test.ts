/**
 * The README's main command, as a user runs it: `npm start` in a child process (its own DynamoDB
 * Local, sandboxes and gateway), then one API call with the printed key, then Ctrl-C (SIGINT to the
 * process group, as a terminal sends it) and a clean exit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Resolves with the first match of `pattern` in everything the process printed so far or prints later. */
function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((done, fail) => {
    const check = () => {
      const match = pattern.exec(output());
      if (match) return done(match);
      if (child.exitCode !== null || child.signalCode !== null) {
        return fail(
          new Error(`npm start exited before printing ${pattern}; output:\n${output().slice(-3000)}`),
        );
      }
      if (Date.now() > deadline) {
        return fail(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output().slice(-3000)}`));
      }
      setTimeout(check, 100);
    };
    check();
  });
}

function descendants(root: number): Array<{ pid: number; args: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((match) =>
      match ? [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }] : [],
    );
  const found: Array<{ pid: number; args: string }> = [];
  const walk = (parent: number) => {
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      walk(row.pid);
    }
  };
  walk(root);
  return found;
}

describe('npm start', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'customer-sync-npm-start-'));
  });
  afterAll(() => {
    // Only if the test failed part-way: stop the group it started.
    if (child?.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the API with the printed key and exits 0 on Ctrl-C, stopping DynamoDB Local', async () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: '0',
      LOCAL_DATA_DIR: dataDir,
      LOCAL_SEED: '0',
      LOCAL_SYNC_INTERVAL_SECONDS: '3600',
    };
    // A fresh clone's defaults: its own DynamoDB Local and the sandboxes, whatever this shell has set.
    for (const name of ['DYNAMODB_ENDPOINT', 'LOCAL_API_KEY', 'TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME']) {
      delete env[name];
    }
    const started = spawn('npm', ['start'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      started.once('exit', (code, signal) => done({ code, signal })),
    );

    const [, url] = await waitForOutput(started, () => output, /API {8}(http:\/\/127\.0\.0\.1:\d+)/, 90_000);
    const [, printedKey] = await waitForOutput(started, () => output, /API key {4}(\S+)/, 5_000);
    expect(readFileSync(join(dataDir, 'api-key'), 'utf8').trim()).toBe(printedKey);

    const response = await fetch(`${url}/customers`, { headers: { 'x-api-key': printedKey ?? '' } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: unknown; cursor: unknown };
    expect(Array.isArray(page.items)).toBe(true);
    expect(page.cursor === null || typeof page.cursor === 'string').toBe(true);
    const forbidden = await fetch(`${url}/customers`);
    expect(forbidden.status).toBe(403);

    // Ctrl-C reaches every process of the terminal's group; npm itself then dies of the signal, so
    // the app's own exit is checked by signalling it alone: npm exits with its exit code.
    if (started.pid === undefined) throw new Error('npm start has no pid');
    const app = descendants(started.pid).find(
      (entry) => /^\S*node\s/.test(entry.args) && /customer-sync\.ts start|local\/start\.ts/.test(entry.args),
    );
    if (!app) throw new Error(`no app process under npm start:\n${JSON.stringify(descendants(started.pid))}`);
    process.kill(app.pid, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const { code, signal } = await Promise.race([
      exited,
      new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new Error(`no exit 30 s after SIGINT; output:\n${output.slice(-3000)}`)),
          30_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toContain('customer-sync local stack stopped');
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(processes).not.toContain(join(dataDir, 'dynamodb'));
  }, 120_000);
});
