import type { CliContext } from '../../../lib/cli/context.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../../lib/cli/errors.ts';
import { resolveCommand, runCli } from '../../../lib/cli/main.ts';

function context(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: { write: (chunk: string) => out.push(chunk) },
    stderr: { write: (chunk: string) => err.push(chunk) },
    env,
    cwd: '/nonexistent-project',
    signal: new AbortController().signal,
  };
  return { ctx, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('resolveCommand', () => {
  it('finds top-level commands and providers subcommands', () => {
    expect(resolveCommand(['get', 'x'])?.entry.name).toBe('get');
    expect(resolveCommand(['get', 'x'])?.rest).toEqual(['x']);
    expect(resolveCommand(['providers', 'get', 'mollie', 'cst_1'])?.entry.name).toBe('providers get');
    expect(resolveCommand(['providers', 'get', 'mollie', 'cst_1'])?.rest).toEqual(['mollie', 'cst_1']);
  });

  it('returns null for unknown commands and bare `providers`', () => {
    expect(resolveCommand(['nope'])).toBeNull();
    expect(resolveCommand(['providers'])).toBeNull();
    expect(resolveCommand(['providers', 'delete'])).toBeNull();
    expect(resolveCommand([])).toBeNull();
  });
});

describe('runCli', () => {
  it('prints the overview for --help on stdout and exits 0', async () => {
    const io = context();
    await expect(runCli(['--help'], io.ctx)).resolves.toBe(EXIT_OK);
    expect(io.stdout()).toContain('Usage: customer-sync <command>');
    expect(io.stdout()).toContain('providers get <provider> <id>');
    expect(io.stderr()).toBe('');
  });

  it('prints the overview for `providers --help` too', async () => {
    const io = context();
    await expect(runCli(['providers', '--help'], io.ctx)).resolves.toBe(EXIT_OK);
    expect(io.stdout()).toContain('providers create <provider>');
  });

  it('prints usage on stderr and exits 2 for an unknown command or no command', async () => {
    for (const argv of [['frobnicate'], [], ['providers', 'delete']]) {
      const io = context();
      await expect(runCli(argv, io.ctx)).resolves.toBe(EXIT_USAGE);
      expect(io.stderr()).toContain('Usage: customer-sync <command>');
      expect(io.stdout()).toBe('');
    }
  });

  it("prints the command's usage on stderr and exits 2 for an unknown flag", async () => {
    const io = context();
    await expect(runCli(['history', '01ABC', '--provider', 'mollie', '--verbose'], io.ctx)).resolves.toBe(
      EXIT_USAGE,
    );
    expect(io.stderr()).toContain("Unknown option '--verbose'");
    expect(io.stderr()).toContain('Usage: customer-sync history <customer-id>');
  });

  it('exits 2 for a missing argument or a bad provider name', async () => {
    const missing = context();
    await expect(runCli(['get'], missing.ctx)).resolves.toBe(EXIT_USAGE);
    expect(missing.stderr()).toContain('missing argument <customer-id>');
    const bad = context();
    await expect(runCli(['history', '01ABC', '--provider', 'stripe'], bad.ctx)).resolves.toBe(EXIT_USAGE);
    expect(bad.stderr()).toContain("got 'stripe'");
  });

  it("prints a command's help on stdout and exits 0", async () => {
    const io = context();
    await expect(runCli(['import', '--help'], io.ctx)).resolves.toBe(EXIT_OK);
    expect(io.stdout()).toContain('import:<sha256(reference)>');
  });

  it('prints runtime errors with their type, exits 1, and never echoes the API key', async () => {
    const io = context({
      CUSTOMER_SYNC_API_URL: 'http://127.0.0.1:9',
      CUSTOMER_SYNC_API_KEY: 'super-secret-key',
    });
    await expect(runCli(['get', '01ABC'], io.ctx)).resolves.toBe(EXIT_FAILURE);
    expect(io.stderr()).toMatch(/^ApiError: GET \/customers\/01ABC: no answer/);
    expect(io.stderr()).not.toContain('super-secret-key');
  });

  it('prints errors as JSON on stderr with --json', async () => {
    const io = context({ CUSTOMER_SYNC_API_URL: 'http://127.0.0.1:9', CUSTOMER_SYNC_API_KEY: 'k' });
    await expect(runCli(['get', '01ABC', '--json'], io.ctx)).resolves.toBe(EXIT_FAILURE);
    expect(JSON.parse(io.stderr())).toMatchObject({ error: { type: 'ApiError' } });
    expect(io.stdout()).toBe('');
  });

  it('reports a missing API key as a ConfigError', async () => {
    const io = context();
    await expect(runCli(['get', '01ABC'], io.ctx)).resolves.toBe(EXIT_FAILURE);
    expect(io.stderr()).toMatch(/^ConfigError: .*CUSTOMER_SYNC_API_KEY/);
  });
});

describe('summarizeError', () => {
  it("masks personal data in other libraries' messages but keeps the CLI's own", async () => {
    const { summarizeError } = await import('../../../lib/cli/errors.ts');
    const foreign = new Error('conflict on EMAIL#ana.gomez@example.com for +573013111111');
    foreign.name = 'StoreConflictError';
    const masked = summarizeError(foreign);
    expect(masked.type).toBe('StoreConflictError');
    expect(masked.message).not.toContain('ana.gomez@example.com');
    expect(masked.message).not.toContain('573013111111');
    const { ApiError } = await import('../../../lib/cli/api-client.ts');
    expect(
      summarizeError(new ApiError('GET /customers/x: no answer from http://127.0.0.1:9 (ECONNREFUSED)'))
        .message,
    ).toContain('127.0.0.1:9');
  });
});
