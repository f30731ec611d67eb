/** The Delos JWT lifecycle against the Delos sandbox: login, refresh before expiry, 401 recovery, rotation. */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderAuthError } from '../../../lib/http/errors.ts';
import type { RunningSandbox } from '../../../sandbox/index.ts';
import { startSandbox } from '../../../sandbox/index.ts';
import { adapterFor, collect, rejection } from './sandbox-adapter.ts';

const ID = 'D7k3xbc-ERrj-lde9k1t3XuaE';
const TUNING = { retryLimit: 2, timeoutMs: 1000, backoffBaseMs: 10 };

describe('delos token lifecycle', () => {
  let sandbox: RunningSandbox;
  let shortTtl: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox('delos', { seed: 30 });
    shortTtl = await startSandbox('delos', { seed: 0, delosAccessTtlSeconds: 1 });
  });
  afterAll(async () => {
    await sandbox.stop();
    await shortTtl.stop();
  });
  beforeEach(async () => {
    await sandbox.control.reset();
    await shortTtl.control.reset();
  });

  it('logs in once for many concurrent first calls', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => adapter.getCustomer(ID)));
    expect(snapshots.every((snapshot) => snapshot.providerCustomerId === ID)).toBe(true);
    const { requests } = await sandbox.control.stats();
    expect(requests).toMatchObject({ login: 1, get: 10 });
  });

  it('reuses the token while it is valid', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    for (let i = 0; i < 3; i++) await adapter.getCustomer(ID);
    expect((await sandbox.control.stats()).requests).toMatchObject({ login: 1, refresh: 0, get: 3 });
  });

  it('refreshes before accessTtl runs out, without a 401', async () => {
    const adapter = await adapterFor('delos', shortTtl, TUNING);
    await adapter.getCustomer(ID);
    await sleep(900); // past 80 % of the 1 s lifetime, before expiry
    await adapter.getCustomer(ID);
    await sleep(1100); // past expiry
    await adapter.getCustomer(ID);
    const stats = await shortTtl.control.stats();
    expect(stats.requests).toMatchObject({ login: 1, refresh: 2, get: 3 });
    expect(stats.statuses['401']).toBeUndefined();
  });

  it('recovers from tokens expired mid-run with one refresh and one retry', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    await adapter.getCustomer(ID);
    expect(await sandbox.control.expireTokens()).toBe(1);
    await expect(adapter.getCustomer(ID)).resolves.toMatchObject({ providerCustomerId: ID });
    const stats = await sandbox.control.stats();
    expect(stats.statuses['401']).toBe(1);
    expect(stats.requests).toMatchObject({ login: 1, refresh: 1, get: 3 });
    expect(adapter.counters().authRetries).toBe(1);
  });

  it('keeps paging when tokens expire between pages', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of adapter.listCustomers({ pageSize: 10 })) {
      pages++;
      ids.push(...page.customers.map((customer) => customer.providerCustomerId));
      if (pages === 1) await sandbox.control.expireTokens();
    }
    expect(new Set(ids).size).toBe((await sandbox.control.listCustomers()).length);
    expect((await sandbox.control.stats()).statuses['401']).toBe(1);
  });

  it('logs in again when the refresh fails', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    await adapter.getCustomer(ID);
    await sandbox.control.expireTokens();
    await sandbox.control.addFault({ route: 'refresh', kind: 'error', status: 500 });
    await expect(adapter.getCustomer(ID)).resolves.toMatchObject({ providerCustomerId: ID });
    // The refresh is not retried (a refresh token may work once): one refresh, then a second login.
    expect((await sandbox.control.stats()).requests).toMatchObject({ login: 2, refresh: 1 });
  });

  it('fails with ProviderAuthError after a credential rotation, without leaking them', async () => {
    const adapter = await adapterFor('delos', sandbox, TUNING);
    await adapter.getCustomer(ID);
    await sandbox.control.rotateCredentials();
    const error = await rejection(adapter.getCustomer(ID));
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error).toMatchObject({ provider: 'delos', operation: 'login', status: 401 });
    expect(error.message).not.toContain('Sandbox-Passw0rd');
    expect(error.message).not.toContain('sandbox@delos.test');
    // One 401 on the data call, one failed refresh (revoked), one failed login: no retry storm.
    expect((await sandbox.control.stats()).requests).toMatchObject({ get: 2, refresh: 1, login: 2 });
  });

  it('fails fast on wrong credentials', async () => {
    const adapter = await adapterFor('delos', sandbox, {
      ...TUNING,
      credentials: { DELOS_LOGIN: 'sandbox@delos.test', DELOS_PASSWORD: 'wrong-password' },
    });
    const error = await rejection(collect(adapter.listCustomers()));
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toBe('delos login: authentication failed (HTTP 401): Invalid login or password');
    expect((await sandbox.control.stats()).requests).toMatchObject({ login: 1, list: 0 });
  });
});
