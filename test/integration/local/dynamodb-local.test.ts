import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Running, and not a zombie waiting to be reaped (which a signal-0 probe would still find). */
function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('startDynamoDbLocal', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip;

  onLinux('takes its JVM down with it when the process dies without calling stop()', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/crash-after-dynamodb-local.ts', import.meta.url));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = execFile(process.execPath, [fixture], { timeout: 60_000 }, (_error, out) =>
        done({ code: child.exitCode, stdout: out }),
      );
    });
    expect(code).not.toBe(0);
    const pid = Number(stdout.trim().split('\n')[0]);
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    const deadline = Date.now() + 10_000;
    while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(running(pid)).toBe(false);
  });
});
