/** A provider sandbox on a free port plus an adapter configured against it through the real config loader. */
import { loadProviderConfigs } from '../../../lib/config/providers.ts';
import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import {
  type AdapterDeps,
  createAdapter,
  type HttpProviderAdapter,
} from '../../../lib/providers/registry.ts';
import { type RunningSandbox, sandboxCredentialEnv, startSandbox } from '../../../sandbox/index.ts';
import { type ProviderEnvOptions, providerEnv } from '../../unit/providers/provider-env.ts';

export async function adapterFor(
  provider: ProviderName,
  sandbox: RunningSandbox,
  env: ProviderEnvOptions = {},
  deps: AdapterDeps = {},
): Promise<HttpProviderAdapter> {
  const configs = await loadProviderConfigs(
    providerEnv(provider, sandbox.origin, {
      baseUrl: sandbox.url,
      credentials: sandboxCredentialEnv(provider),
      ...env,
    }),
    { providers: [provider] },
  );
  const config = configs[provider];
  if (!config) throw new Error(`${provider} not configured`);
  return createAdapter(provider, config, deps);
}

export async function startWithAdapter(
  provider: ProviderName,
  options: {
    seed?: number;
    delosAccessTtlSeconds?: number;
    env?: ProviderEnvOptions;
    deps?: AdapterDeps;
  } = {},
): Promise<{ sandbox: RunningSandbox; adapter: HttpProviderAdapter }> {
  const sandbox = await startSandbox(provider, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.delosAccessTtlSeconds === undefined
      ? {}
      : { delosAccessTtlSeconds: options.delosAccessTtlSeconds }),
  });
  try {
    return { sandbox, adapter: await adapterFor(provider, sandbox, options.env, options.deps) };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

/** Valid for every provider's create requirements. */
export function fullInput(reference: string, overrides: Partial<CustomerInput> = {}): CustomerInput {
  return {
    reference,
    kind: 'individual',
    givenName: 'Pepito',
    familyName: 'Perez',
    email: 'pepito.perez@example.com',
    phone: '+573013111111',
    document: { type: 'cc', number: '1037551022' },
    locale: 'en_US',
    ...overrides,
  };
}

/** Awaits a rejection and returns it, failing the test when the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('rejected with a non-Error');
  }
  throw new Error('expected the call to fail');
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
