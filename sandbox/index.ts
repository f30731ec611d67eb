/**
 * Local, stateful fakes of the four providers' customer APIs, one HTTP server each, for tests,
 * `npm start` and the benchmarks. See sandbox/README.md for what each one implements and where the
 * sandbox had to choose because the provider documents nothing.
 */
import { PROVIDERS, type ProviderName } from '../lib/customer/snapshot.ts';
import { SandboxControl } from './control.ts';
import { createDelosBackend } from './delos.ts';
import { createJuspayBackend } from './juspay.ts';
import { createMollieBackend } from './mollie.ts';
import { createPalommaBackend } from './palomma.ts';
import { type ProviderBackend, startSandboxServer } from './server.ts';

export { SandboxControl, SandboxControlError } from './control.ts';
export type { FaultKind, RouteName, SandboxStats } from './server.ts';

/** Fixed, fake credentials every sandbox starts with (rotate-credentials changes them per sandbox). */
export const SANDBOX_CREDENTIALS: {
  palomma: { apiKey: string; webhookIntegrityKey: string };
  delos: { login: string; password: string };
  mollie: { apiKey: string };
  juspay: { apiKey: string; merchantId: string; webhookUsername: string; webhookPassword: string };
} = {
  palomma: { apiKey: 'sbx-palomma-api-key-0001', webhookIntegrityKey: 'sbx-palomma-integrity-key-0001' },
  delos: { login: 'sandbox@delos.test', password: 'Sandbox-Passw0rd!' },
  mollie: { apiKey: 'test_SandboxMollieKey000000000000' },
  juspay: {
    apiKey: 'SBXJUSPAYAPIKEY0000000000000001',
    merchantId: 'sandbox_merchant',
    webhookUsername: 'juspay-webhook',
    webhookPassword: 'sbx-juspay-webhook-secret',
  },
};

export const SANDBOX_DEFAULT_PORTS: Record<ProviderName, number> = {
  palomma: 4101,
  delos: 4102,
  mollie: 4103,
  juspay: 4104,
};

/**
 * The API settings that point a provider's adapter at its sandbox, as lib/config/providers.ts reads
 * them from the environment: the sandbox's fixed credentials.
 */
export function sandboxCredentialEnv(provider: ProviderName): Record<string, string> {
  switch (provider) {
    case 'palomma':
      return { PALOMMA_API_KEY: SANDBOX_CREDENTIALS.palomma.apiKey };
    case 'delos':
      return {
        DELOS_LOGIN: SANDBOX_CREDENTIALS.delos.login,
        DELOS_PASSWORD: SANDBOX_CREDENTIALS.delos.password,
      };
    case 'mollie':
      return { MOLLIE_API_KEY: SANDBOX_CREDENTIALS.mollie.apiKey };
    case 'juspay':
      return {
        JUSPAY_API_KEY: SANDBOX_CREDENTIALS.juspay.apiKey,
        JUSPAY_MERCHANT_ID: SANDBOX_CREDENTIALS.juspay.merchantId,
      };
  }
}

/** `<PROVIDER>_BASE_URL` and the credentials of each of these sandboxes. */
export function sandboxApiEnv(
  sandboxes: Partial<Record<ProviderName, { url: string }>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const provider of PROVIDERS) {
    const sandbox = sandboxes[provider];
    if (sandbox) {
      Object.assign(
        env,
        { [`${provider.toUpperCase()}_BASE_URL`]: sandbox.url },
        sandboxCredentialEnv(provider),
      );
    }
  }
  return env;
}

/** Where each provider's adapter points its base URL, relative to the sandbox origin. */
const BASE_PATHS: Record<ProviderName, string> = { palomma: '/v0', delos: '', mollie: '/v2', juspay: '' };

export interface RunningSandbox {
  provider: ProviderName;
  /** Base URL as the adapter wants it: Palomma `<origin>/v0`, Delos `<origin>`, Mollie `<origin>/v2`, Juspay `<origin>`. */
  url: string;
  /** `http://127.0.0.1:<port>`; the control API is `<origin>/__control`. */
  origin: string;
  port: number;
  control: SandboxControl;
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  /** Default 0: a free port picked by the OS. Pass SANDBOX_DEFAULT_PORTS[provider] for the fixed one. */
  port?: number;
  /** Delos access token lifetime in seconds (default 300). */
  delosAccessTtlSeconds?: number;
  /** Absent: no customers. n: the documented example customers plus n deterministic demo ones. */
  seed?: number;
  host?: string;
}

function backendFactory(
  provider: ProviderName,
  options: StartSandboxOptions,
): (origin: () => string) => ProviderBackend {
  const seed = options.seed === undefined ? {} : { seed: options.seed };
  switch (provider) {
    case 'palomma':
      return () => createPalommaBackend({ credentials: SANDBOX_CREDENTIALS.palomma, ...seed });
    case 'delos':
      return () =>
        createDelosBackend({
          credentials: SANDBOX_CREDENTIALS.delos,
          ...seed,
          ...(options.delosAccessTtlSeconds === undefined
            ? {}
            : { accessTtlSeconds: options.delosAccessTtlSeconds }),
        });
    case 'mollie':
      return (origin) => createMollieBackend({ credentials: SANDBOX_CREDENTIALS.mollie, ...seed }, origin);
    case 'juspay':
      return () => createJuspayBackend({ credentials: SANDBOX_CREDENTIALS.juspay, ...seed });
  }
}

export async function startSandbox(
  provider: ProviderName,
  options: StartSandboxOptions = {},
): Promise<RunningSandbox> {
  const server = await startSandboxServer(backendFactory(provider, options), {
    port: options.port ?? 0,
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  return {
    provider,
    url: `${server.origin}${BASE_PATHS[provider]}`,
    origin: server.origin,
    port: server.port,
    control: new SandboxControl(server.origin),
    stop: () => server.stop(),
  };
}

/**
 * Starts on `preferred`, or on a port the OS picks when another process already holds it. Decided by
 * binding, not by checking first, so two stacks starting at once cannot race for the same port.
 */
export async function startSandboxPreferringPort(
  provider: ProviderName,
  preferred: number,
  options: Omit<StartSandboxOptions, 'port'> = {},
): Promise<RunningSandbox> {
  try {
    return await startSandbox(provider, { ...options, port: preferred });
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    return startSandbox(provider, { ...options, port: 0 });
  }
}

/** Duck-typed: under jest's VM modules Node's own errors are not `instanceof` the test realm's Error. */
export function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
}

export interface RunningSandboxes {
  sandboxes: Record<ProviderName, RunningSandbox>;
  stop(): Promise<void>;
}

/** Starts all four; if one cannot start, the others are stopped again before the error is thrown. */
export async function startSandboxes(
  options: {
    ports?: Partial<Record<ProviderName, number>>;
    seed?: number;
    delosAccessTtlSeconds?: number;
    host?: string;
  } = {},
): Promise<RunningSandboxes> {
  const providers = ['palomma', 'delos', 'mollie', 'juspay'] as const;
  const results = await Promise.allSettled(
    providers.map((provider) =>
      startSandbox(provider, {
        port: options.ports?.[provider] ?? 0,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.delosAccessTtlSeconds === undefined
          ? {}
          : { delosAccessTtlSeconds: options.delosAccessTtlSeconds }),
        ...(options.host === undefined ? {} : { host: options.host }),
      }),
    ),
  );
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((sandbox) => sandbox.stop()));
    throw failure.reason;
  }
  const byName = (name: ProviderName) => {
    const sandbox = started.find((candidate) => candidate.provider === name);
    if (!sandbox) throw new Error(`sandbox ${name} did not start`);
    return sandbox;
  };
  const sandboxes: Record<ProviderName, RunningSandbox> = {
    palomma: byName('palomma'),
    delos: byName('delos'),
    mollie: byName('mollie'),
    juspay: byName('juspay'),
  };
  return {
    sandboxes,
    async stop() {
      await Promise.all(started.map((sandbox) => sandbox.stop()));
    },
  };
}
