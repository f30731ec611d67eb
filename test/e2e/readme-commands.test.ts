/**
 * Keeps the README true: every command in it is run by a test or by `.ci/run`. The commands are read
 * from the README itself (shell code blocks, and inline code spans starting with a command word) and
 * must equal the list below, where each one says what runs it, so a command added to the README
 * without a proof fails here. The commands nothing else runs are run here, as a user types them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { PROVIDERS } from '../../lib/customer/snapshot.ts';
import {
  type RunningSandbox,
  SANDBOX_CREDENTIALS,
  SANDBOX_DEFAULT_PORTS,
  startSandboxPreferringPort,
} from '../../sandbox/index.ts';
import {
  descendants,
  exitWithin,
  freePortRange,
  groupMembers,
  isPortFree,
  killGroup,
  type ReadmeCommand,
  readmeCommands,
  runShell,
  type ShellRun,
  waitForOutput,
} from '../helpers/readme.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = 'test/e2e/readme-commands.test.ts';
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface ListedCommand extends ReadmeCommand {
  /** A test file or `.ci/run` that runs it, this file, or `documented only: <why it cannot run>`. */
  provenBy: string;
  /** Text the named file must contain: ties the entry to the code that runs the command. */
  evidence?: { file: string; text: string };
}

/** Every command of the README, in README order. */
const LISTED: ListedCommand[] = [
  {
    command: 'npm install',
    source: 'inline',
    provenBy: '.ci/run',
    evidence: { file: '.ci/run', text: "step bash -c 'npm install && npm test'" },
  },
  {
    // Installing a system package with sudo is the user's machine's business; CI installs the same
    // package (as root, without sudo) only where java is missing.
    command: 'sudo apt-get install openjdk-17-jre-headless',
    source: 'inline',
    provenBy: 'documented only: installs a system package with sudo',
    evidence: { file: '.ci/run', text: 'apt-get install -y -qq openjdk-17-jre-headless' },
  },
  {
    // `npm install` then `npm start` in one clone: .ci/run's `npm install && npm test` runs this test.
    command: 'npm install && npm start',
    source: 'sh',
    provenBy: 'test/e2e/npm-start.test.ts',
    evidence: { file: 'test/e2e/npm-start.test.ts', text: "spawn('npm', ['start']" },
  },
  {
    command: 'npm install && npm test',
    source: 'sh',
    provenBy: '.ci/run',
    evidence: { file: '.ci/run', text: "step bash -c 'npm install && npm test'" },
  },
  {
    command: 'npm start',
    source: 'inline',
    provenBy: 'test/e2e/npm-start.test.ts',
    evidence: { file: 'test/e2e/npm-start.test.ts', text: "spawn('npm', ['start']" },
  },
  {
    // `<id>` is a placeholder: the CLI tests run `get` on a created customer, with and without config.
    command: 'npx customer-sync get <id>',
    source: 'inline',
    provenBy: 'test/integration/cli/api.test.ts',
    evidence: { file: 'test/integration/cli/api.test.ts', text: "runCli(['get', customerId" },
  },
  { command: 'npm run sandbox', source: 'inline', provenBy: THIS_FILE },
  {
    command:
      'MOLLIE_BASE_URL=http://127.0.0.1:4103/v2 MOLLIE_API_KEY=test_SandboxMollieKey000000000000 npx customer-sync providers get mollie cst_tKt44u85MM',
    source: 'sh',
    provenBy: THIS_FILE,
  },
  {
    // `<command>` stands for every command of docs/cli.md, which the CLI tests run through run-cli.ts;
    // the `npx customer-sync` form itself runs here (the Mollie command above).
    command: 'npx customer-sync <command>',
    source: 'inline',
    provenBy: 'test/integration/cli/run-cli.ts',
    evidence: { file: 'test/integration/cli/run-cli.ts', text: 'spawn(NODE, [BIN, ...args]' },
  },
  {
    command: 'node bin/customer-sync.ts <command>',
    source: 'inline',
    provenBy: 'test/integration/cli/run-cli.ts',
    evidence: { file: 'test/integration/cli/run-cli.ts', text: 'spawn(NODE, [BIN, ...args]' },
  },
  {
    command: 'npm test',
    source: 'inline',
    provenBy: '.ci/run',
    evidence: { file: '.ci/run', text: "step bash -c 'npm install && npm test'" },
  },
  {
    command: 'npm run test:chaos',
    source: 'inline',
    provenBy: '.ci/run',
    evidence: { file: '.ci/run', text: 'step npm run test:chaos' },
  },
  {
    // The full run takes long and its numbers depend on the machine; CI runs the same script reduced.
    command: 'npm run bench',
    source: 'inline',
    provenBy: 'documented only: the full benchmark; .ci/run runs it with --quick',
    evidence: { file: '.ci/run', text: 'step npm run bench -- --quick' },
  },
  {
    command: 'npm run bench -- --quick',
    source: 'inline',
    provenBy: '.ci/run',
    evidence: { file: '.ci/run', text: 'step npm run bench -- --quick' },
  },
  { command: 'npx cdk synth -c stage=dev', source: 'inline', provenBy: THIS_FILE },
  {
    // Deploying needs an AWS account and credentials, which neither tests nor CI have. What it
    // deploys is what `cdk synth` produces: synthesized here, and for every stage by test/infra.
    command: 'npx cdk deploy -c stage=<dev|staging|prod>',
    source: 'inline',
    provenBy: 'documented only: needs AWS',
  },
];

/** The commands this file runs; each `it` below takes its command from here, so the list cannot lie. */
function runHere(predicate: (command: string) => boolean): string {
  const entry = LISTED.find((listed) => predicate(listed.command));
  if (!entry || entry.provenBy !== THIS_FILE)
    throw new Error('the README command run here is not listed as such');
  return entry.command;
}

const RUN_HERE = {
  sandbox: runHere((command) => command === 'npm run sandbox'),
  mollie: runHere((command) => command.includes('customer-sync providers get mollie')),
  synth: runHere((command) => command.startsWith('npx cdk synth')),
};

/** A user's shell in a fresh clone: the project's Node 24 first on PATH, no provider settings of ours. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(PALOMMA|DELOS|MOLLIE|JUSPAY|CUSTOMER_SYNC|LOCAL)_/.test(name)) continue;
    env[name] = value;
  }
  env.PATH = `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`;
  return env;
}

const runs: ShellRun[] = [];
function start(command: string): ShellRun {
  const run = runShell(command, { cwd: ROOT, env: userEnv() });
  runs.push(run);
  return run;
}

afterAll(() => {
  for (const run of runs) killGroup(run);
});

describe('README commands', () => {
  it('lists every command of the README with what runs it', () => {
    expect(readmeCommands(README)).toEqual(LISTED.map(({ command, source }) => ({ command, source })));
  });

  it('names, for each command, a file that runs it or why none can', () => {
    for (const entry of LISTED) {
      if (entry.provenBy.startsWith('documented only: ')) {
        expect(entry.provenBy.length).toBeGreaterThan('documented only: '.length);
      } else if (entry.provenBy !== THIS_FILE) {
        expect({ command: entry.command, evidenceIn: entry.evidence?.file }).toEqual({
          command: entry.command,
          evidenceIn: entry.provenBy,
        });
      }
      if (entry.evidence) {
        const file = join(ROOT, entry.evidence.file);
        expect({ command: entry.command, file: entry.evidence.file, exists: existsSync(file) }).toEqual({
          command: entry.command,
          file: entry.evidence.file,
          exists: true,
        });
        expect(readFileSync(file, 'utf8')).toContain(entry.evidence.text);
      }
    }
    expect(Object.values(RUN_HERE).sort()).toEqual(
      LISTED.filter((entry) => entry.provenBy === THIS_FILE)
        .map((entry) => entry.command)
        .sort(),
    );
  });

  it('npm run sandbox: prints the four sandboxes and working credentials, exits 0 on Ctrl-C', async () => {
    // The README's ports when they are free; else the same command moved by its own flag (another
    // `npm start` or test on this machine may hold them, or take them between the check and the bind).
    const randomBase = () =>
      freePortRange(
        PROVIDERS.length,
        Array.from({ length: 50 }, () => 20_000 + Math.floor(Math.random() * 30_000)),
      );
    const defaultsFree = (
      await Promise.all(PROVIDERS.map((provider) => isPortFree(SANDBOX_DEFAULT_PORTS[provider])))
    ).every(Boolean);
    let base = defaultsFree ? SANDBOX_DEFAULT_PORTS.palomma : await randomBase();
    let run: ShellRun | undefined;
    for (let attempt = 1; !run; attempt++) {
      const command =
        base === SANDBOX_DEFAULT_PORTS.palomma
          ? RUN_HERE.sandbox
          : `${RUN_HERE.sandbox} -- --port-base ${base}`;
      if (command !== RUN_HERE.sandbox) console.info(`ports 4101-4104 are busy: ran "${command}"`);
      const started = start(command);
      try {
        await waitForOutput(started, /Ctrl-C to stop\./, 60_000);
        run = started;
      } catch (error) {
        if (attempt >= 3 || !started.stderr().includes('already in use')) throw error;
        base = await randomBase();
      }
    }
    const output = run.output();

    const printed = Object.fromEntries(
      [...output.matchAll(/^ {2}(\w+) +(http:\/\/\S+) +control: (http:\/\/\S+)$/gm)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    expect(printed).toEqual({
      palomma: `http://127.0.0.1:${base}/v0`,
      delos: `http://127.0.0.1:${base + 1}`,
      mollie: `http://127.0.0.1:${base + 2}/v2`,
      juspay: `http://127.0.0.1:${base + 3}`,
    });
    const credentialsText =
      /Sandbox credentials:\n([\s\S]*?)\n\nCtrl-C to stop\./.exec(output)?.[1] ?? 'null';
    const credentials = z
      .object({ mollie: z.object({ apiKey: z.string() }) })
      .loose()
      .parse(JSON.parse(credentialsText));
    expect(credentials).toEqual(SANDBOX_CREDENTIALS);

    const customerUrl = `http://127.0.0.1:${base + 2}/v2/customers/cst_tKt44u85MM`;
    const response = await fetch(customerUrl, {
      headers: { authorization: `Bearer ${credentials.mollie.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(
      z
        .object({ id: z.string() })
        .loose()
        .parse(await response.json()).id,
    ).toBe('cst_tKt44u85MM');
    expect((await fetch(customerUrl)).status).toBe(401);

    // Ctrl-C in a terminal reaches the whole group and npm then dies of the signal itself; the
    // sandbox's own exit is what the README promises, so it alone is signalled: npm exits with its code.
    const pgid = run.child.pid;
    if (pgid === undefined) throw new Error('npm run sandbox has no pid');
    const app = descendants(pgid).find((entry) => /^\S*node\s+\S*sandbox\/cli\.ts/.test(entry.args));
    if (!app) throw new Error('no sandbox/cli.ts process under npm run sandbox');
    process.kill(app.pid, 'SIGINT');
    const exit = await exitWithin(run.exited, 10_000, 'npm run sandbox after SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(groupMembers(pgid)).toEqual([]);
    expect(await isPortFree(base + 2)).toBe(true);
  }, 90_000);

  describe('against a Mollie sandbox', () => {
    let sandbox: RunningSandbox | undefined;
    afterAll(async () => {
      await sandbox?.stop();
    });

    it('npx customer-sync providers get mollie: prints the customer from the README env', async () => {
      const readmeUrl = 'http://127.0.0.1:4103/v2';
      expect(RUN_HERE.mollie).toContain(`MOLLIE_BASE_URL=${readmeUrl} `);
      const running = await startSandboxPreferringPort('mollie', SANDBOX_DEFAULT_PORTS.mollie, { seed: 0 });
      sandbox = running;
      const command = RUN_HERE.mollie.replace(readmeUrl, running.url);

      const run = start(command);
      const exit = await exitWithin(run.exited, 120_000, 'npx customer-sync providers get');
      // stderr only on failure: stdout holds the (sandbox) customer's details.
      expect({ exit, stderr: exit.code === 0 ? '' : run.stderr().slice(-2000) }).toEqual({
        exit: { code: 0, signal: null },
        stderr: '',
      });
      expect(/^providerCustomerId\s+(\S+)$/m.exec(run.stdout())?.[1]).toBe('cst_tKt44u85MM');
      expect((await running.control.stats()).requests.get ?? 0).toBeGreaterThanOrEqual(1);
      expect(groupMembers(run.child.pid ?? -1)).toEqual([]);
    }, 150_000);
  });

  describe('cdk synth', () => {
    let outdir: string | undefined;
    afterAll(() => {
      if (outdir) rmSync(outdir, { recursive: true, force: true });
    });

    it('npx cdk synth -c stage=dev: synthesizes the dev stack offline, functions bundled', async () => {
      outdir = mkdtempSync(join(tmpdir(), 'readme-cdk-synth-'));
      // Into a temporary assembly instead of the project's cdk.out, otherwise as written.
      const run = start(`${RUN_HERE.synth} -o ${outdir}`);
      const exit = await exitWithin(run.exited, 230_000, 'npx cdk synth');
      expect({ exit, output: exit.code === 0 ? '' : run.output().slice(-3000) }).toEqual({
        exit: { code: 0, signal: null },
        output: '',
      });

      const manifest = z
        .object({
          artifacts: z.record(
            z.string(),
            z.object({
              type: z.string(),
              properties: z.object({ templateFile: z.string().optional() }).loose().optional(),
            }),
          ),
        })
        .parse(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')));
      const templates = Object.values(manifest.artifacts).flatMap((artifact) =>
        artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile
          ? [artifact.properties.templateFile]
          : [],
      );
      expect(templates).toHaveLength(1);
      const templateFile = join(outdir, templates[0] ?? '');
      expect(existsSync(templateFile)).toBe(true);
      const template = z
        .object({ Resources: z.record(z.string(), z.object({ Type: z.string() }).loose()) })
        .parse(JSON.parse(readFileSync(templateFile, 'utf8')));
      const functions = Object.values(template.Resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      );
      expect(functions.length).toBeGreaterThanOrEqual(5);
      const bundles = readdirSync(outdir).filter(
        (name) => name.startsWith('asset.') && existsSync(join(outdir ?? '', name, 'index.mjs')),
      );
      expect(bundles.length).toBeGreaterThanOrEqual(5);
      expect(groupMembers(run.child.pid ?? -1)).toEqual([]);
    }, 240_000);
  });
});
