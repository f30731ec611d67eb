/**
 * Support for test/e2e/readme-commands.test.ts: reads the commands a README tells a user to run, and
 * runs commands as a user's shell would (own process group, so nothing they start can outlive the test).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface ReadmeCommand {
  command: string;
  /** `sh`: a line of a ```sh block (continuations joined). `inline`: a `code span` in the prose. */
  source: 'sh' | 'inline';
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);
/** First words that make an inline code span a command a reader may type (not a file, variable or flag). */
const COMMAND_WORDS = new Set([
  'npm',
  'npx',
  'node',
  'sudo',
  'apt-get',
  'cdk',
  'java',
  'docker',
  'curl',
  'bash',
]);

/** Drops a trailing ` # comment` outside quotes, as the shell would. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(line[index - 1] ?? ''))) {
      return line.slice(0, index);
    }
  }
  return line;
}

/**
 * Every command in the README: each line of a shell code block (lines ending in `\` joined to the next,
 * comments and a leading `$ ` prompt dropped) and each inline code span starting with a command word.
 * An inline span starting with `-- ` (e.g. "`npm run bench` (`-- --quick` for …)") extends the command
 * span before it in the same paragraph, and both forms are listed. Duplicates are listed once, first wins.
 */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  const add = (command: string, source: ReadmeCommand['source']) => {
    const normalized = command.replace(/\s+/g, ' ').trim();
    if (normalized && !found.some((entry) => entry.command === normalized)) {
      found.push({ command: normalized, source });
    }
  };

  // Inline spans are read per paragraph: a span may wrap onto the next line.
  let paragraph: string[] = [];
  const flushParagraph = () => {
    let previous: string | null = null;
    for (const span of paragraph.join(' ').matchAll(/`([^`]+)`/g)) {
      const text = (span[1] ?? '').trim();
      const firstWord = text.split(/\s+/)[0] ?? '';
      if (COMMAND_WORDS.has(firstWord)) {
        add(text, 'inline');
        previous = text;
      } else if (text.startsWith('-- ') && previous !== null) {
        add(`${previous} ${text}`, 'inline');
      }
    }
    paragraph = [];
  };

  let fence: { marker: string; shell: boolean } | null = null;
  let pending = '';
  for (const line of markdown.split('\n')) {
    if (fence === null) {
      const opening = FENCE.exec(line.trim());
      if (opening) {
        flushParagraph();
        fence = { marker: opening[1] ?? '```', shell: SHELL_LANGUAGES.has((opening[2] ?? '').toLowerCase()) };
      } else if (line.trim() === '') {
        flushParagraph();
      } else {
        paragraph.push(line);
      }
      continue;
    }
    if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
      if (fence.shell && pending.trim()) add(pending, 'sh');
      fence = null;
      pending = '';
      continue;
    }
    if (!fence.shell) continue;
    const text = stripComment(line).replace(/^\s*\$\s+/, '');
    if (/\\\s*$/.test(text)) {
      pending += `${text.replace(/\\\s*$/, '')} `;
      continue;
    }
    pending += text;
    if (pending.trim()) add(pending, 'sh');
    pending = '';
  }
  flushParagraph();
  return found;
}

/** Whether nothing listens on `port` on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** The first base from `candidates` with `count` consecutive free ports. */
export async function freePortRange(count: number, candidates: number[]): Promise<number> {
  for (const base of candidates) {
    let free = true;
    for (let offset = 0; offset < count && free; offset++) free = await isPortFree(base + offset);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports at any of ${candidates.length} candidate bases`);
}

export interface ShellRun {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `command` through `sh -c` in its own process group (its pid is the group id), like a terminal
 * runs a typed line; `killGroup` then reaches whatever it started.
 */
export function runShell(command: string, options: { cwd: string; env: Record<string, string> }): ShellRun {
  const child = spawn('sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal }));
  });
  return { child, output: () => output, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the first match of `pattern` in the output, failing when the process ends first or time runs out. */
export function waitForOutput(run: ShellRun, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((done, fail) => {
    const check = () => {
      const match = pattern.exec(run.output());
      if (match) return done(match);
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        return fail(
          new Error(
            `exited (${run.child.exitCode ?? run.child.signalCode}) before printing ${pattern}; output:\n${run.output().slice(-2000)}`,
          ),
        );
      }
      if (Date.now() > deadline) return fail(new Error(`nothing matched ${pattern} within ${timeoutMs} ms`));
      setTimeout(check, 100);
    };
    check();
  });
}

/** Resolves with the exit, or rejects after `timeoutMs`. */
export async function exitWithin<T>(exited: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what}: no exit within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

function processTable(): ProcessRow[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((match) =>
      match
        ? [{ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]), args: match[4] ?? '' }]
        : [],
    );
}

/** Processes still in the group `pgid` (zombies are gone by then: `ps` lists them as `<defunct>`). */
export function groupMembers(pgid: number): Array<{ pid: number; args: string }> {
  return processTable()
    .filter((row) => row.pgid === pgid && !row.args.includes('<defunct>'))
    .map(({ pid, args }) => ({ pid, args }));
}

/** Every process below `root`. */
export function descendants(root: number): Array<{ pid: number; args: string }> {
  const rows = processTable();
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

/** SIGKILLs the process group led by `run` if anything of it is left (a test that failed part-way). */
export function killGroup(run: ShellRun | undefined): void {
  const pid = run?.child.pid;
  if (pid === undefined || groupMembers(pid).length === 0) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
