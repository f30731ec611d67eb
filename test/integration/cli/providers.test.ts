import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import {
  type RunningSandboxes,
  SANDBOX_CREDENTIALS,
  sandboxApiEnv,
  startSandboxes,
} from '../../../sandbox/index.ts';
import { jsonOf, runCli } from './run-cli.ts';

/** Every credential value the sandboxes accept: none may ever appear in the CLI's output. */
const SECRETS = [
  SANDBOX_CREDENTIALS.palomma.apiKey,
  SANDBOX_CREDENTIALS.delos.login,
  SANDBOX_CREDENTIALS.delos.password,
  SANDBOX_CREDENTIALS.mollie.apiKey,
  SANDBOX_CREDENTIALS.juspay.apiKey,
];

describe('customer-sync providers (CLI against the sandboxes)', () => {
  let sandboxes: RunningSandboxes;
  let dir: string;
  let env: Record<string, string>;
  const customerFile = () => join(dir, 'customer.json');

  beforeAll(async () => {
    sandboxes = await startSandboxes();
    dir = mkdtempSync(join(tmpdir(), 'cli-providers-'));
    env = {
      LOCAL_DATA_DIR: join(dir, '.local'),
      ...sandboxApiEnv(sandboxes.sandboxes),
    };
    writeFileSync(
      customerFile(),
      JSON.stringify({
        reference: `cli-providers-${process.pid}`,
        kind: 'individual',
        givenName: 'Ana',
        familyName: 'Gómez',
        email: 'ana.gomez@example.com',
        phone: '+573013111111',
        document: { type: 'cc', number: '1037551022' },
        locale: 'en_US',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await sandboxes?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectNoSecrets = (text: string) => {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  };

  it.each(PROVIDERS)(
    'creates at %s, then gets the same customer back as a normalized snapshot',
    async (provider) => {
      const created = await runCli(['providers', 'create', provider, '--file', customerFile(), '--json'], {
        env,
      });
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const snapshot = jsonOf<{ provider: ProviderName; providerCustomerId: string; email: string | null }>(
        created,
      );
      expect(snapshot.provider).toBe(provider);
      expect(snapshot.providerCustomerId).toEqual(expect.any(String));
      expect((await sandboxes.sandboxes[provider].control.stats()).created).toBe(1);

      const fetched = await runCli(['providers', 'get', provider, snapshot.providerCustomerId, '--json'], {
        env,
      });
      expect(fetched.code).toBe(0);
      expect(jsonOf<{ providerCustomerId: string; email: string | null }>(fetched)).toMatchObject({
        providerCustomerId: snapshot.providerCustomerId,
        // What the provider keeps of the email differs (Delos masks or drops it): the same either way.
        email: snapshot.email,
      });

      const readable = await runCli(['providers', 'get', provider, snapshot.providerCustomerId], { env });
      expect(readable.code).toBe(0);
      expect(readable.stdout).toMatch(new RegExp(`^provider +${provider}$`, 'm'));
      expect(readable.stdout).toMatch(
        new RegExp(`^providerCustomerId +${snapshot.providerCustomerId}$`, 'm'),
      );
      expectNoSecrets(created.stdout + fetched.stdout + readable.stdout);
    },
    60_000,
  );

  it.each(PROVIDERS)(
    'prints ProviderNotFoundError and the provider message for an unknown %s customer, exit 1',
    async (provider) => {
      const result = await runCli(['providers', 'get', provider, 'doesnotexist0001'], { env });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^ProviderNotFoundError: ${provider} getCustomer: not found \\(HTTP 40[4]\\)`),
      );
      expectNoSecrets(result.stderr);
    },
    30_000,
  );

  it('prints ProviderAuthError for wrong credentials without echoing them', async () => {
    const wrongKey = 'test_WrongKeyThatMustNotBePrinted0000';
    const result = await runCli(['providers', 'get', 'mollie', 'cst_whatever', '--json'], {
      env: { ...env, MOLLIE_API_KEY: wrongKey },
    });
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stderr) as { error: { type: string; provider: string; status: number } };
    expect(body.error).toMatchObject({ type: 'ProviderAuthError', provider: 'mollie', status: 401 });
    expect(result.stderr).not.toContain(wrongKey);
    expectNoSecrets(result.stderr);
  }, 30_000);

  it('names what a provider needs before calling it', async () => {
    const file = join(dir, 'no-phone.json');
    writeFileSync(file, JSON.stringify({ reference: 'cli-no-phone-0001', givenName: 'Bo' }));
    const before = (await sandboxes.sandboxes.juspay.control.stats()).requests;
    const result = await runCli(['providers', 'create', 'juspay', '--file', file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^MissingCreateFieldsError: juspay needs more to create this customer: phone/,
    );
    expect((await sandboxes.sandboxes.juspay.control.stats()).requests).toEqual(before);
  }, 30_000);

  it('reports a provider that is not configured as a ConfigError naming the variables', async () => {
    const result = await runCli(['providers', 'get', 'mollie', 'cst_x'], {
      env: { LOCAL_DATA_DIR: env.LOCAL_DATA_DIR ?? '' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ConfigError: .*MOLLIE_BASE_URL/);
  }, 30_000);

  it('exits 2 with usage on stderr for an unknown flag, a bad provider or a missing argument', async () => {
    for (const args of [
      ['providers', 'get', 'mollie', 'cst_1', '--verbose'],
      ['providers', 'get', 'stripe', 'cst_1'],
      ['providers', 'get', 'mollie'],
      ['providers', 'create', 'mollie'],
    ]) {
      const result = await runCli(args, { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: customer-sync providers');
      expect(result.stdout).toBe('');
    }
  }, 60_000);
});
