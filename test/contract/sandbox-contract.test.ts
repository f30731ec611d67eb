/**
 * Checks the sandboxes against the project's OpenAPI contracts with Stoplight Prism in proxy mode:
 * `prism proxy contracts/<p>.yaml <sandbox> --errors` validates each request and each answer, and with
 * `--errors` any violation turns into an error answer carrying an `sl-violations` header (warnings,
 * such as an undocumented status code, also set that header). So every documented exchange below must
 * come back with its expected status and no `sl-violations`.
 *
 * What Prism cannot check here:
 * - Credentials themselves: Prism only checks that the security scheme is present and well formed
 *   (a Bearer or Basic header) and answers a missing one with its own 401 without forwarding it, so
 *   the sandboxes' 401 bodies are checked only where the header is present but wrong (Juspay below)
 *   and in the integration tests.
 * - Required request headers stop at Prism too: a Juspay call without `x-merchantid` gets Prism's 422.
 * - Behaviour over several requests (idempotent replays, pagination cursors, token expiry) is beyond a
 *   schema: the integration tests cover it. Prism does validate each page and replay it sees.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { type RunningSandboxes, startSandboxes } from '../../sandbox/index.ts';
import {
  delosLogin,
  type HttpResult,
  http,
  juspayAuth,
  mollieAuth,
  palommaAuth,
  postForm,
  postJson,
} from '../integration/sandbox/helpers.ts';

const ROOT = join(import.meta.dirname, '../..');
const PRISM = realpathSync(join(ROOT, 'node_modules/.bin/prism'));

interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

async function startPrism(provider: ProviderName, upstream: string): Promise<RunningPrism> {
  const port = await freePort();
  const contract = join(ROOT, 'contracts', `${provider}.openapi.yaml`);
  const child: ChildProcess = spawn(
    process.execPath,
    [PRISM, 'proxy', contract, upstream, '--errors', '--port', String(port), '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    // Prism starts in about 2 s on an idle machine, but far slower on a busy CI box.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prism for ${provider} did not start:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism for ${provider} exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The status, and the violations Prism reported (none expected). */
const verdict = (result: HttpResult) => ({
  status: result.status,
  violations: result.headers.get('sl-violations'),
});
const clean = (status: number) => ({ status, violations: null });

describe('sandboxes against the contracts (prism proxy --errors)', () => {
  let sandboxes: RunningSandboxes;
  const prisms = new Map<ProviderName, RunningPrism>();
  const prismUrl = (provider: ProviderName) => prisms.get(provider)?.url ?? 'http://prism-not-started';

  beforeAll(async () => {
    sandboxes = await startSandboxes({ seed: 25 });
    const { palomma, delos, mollie, juspay } = sandboxes.sandboxes;
    // Palomma's contract has the `/v0` prefix in its server URL, the others in their paths.
    const started = await Promise.allSettled([
      startPrism('palomma', palomma.url),
      startPrism('delos', delos.origin),
      startPrism('mollie', mollie.origin),
      startPrism('juspay', juspay.origin),
    ]);
    (['palomma', 'delos', 'mollie', 'juspay'] as const).forEach((provider, index) => {
      const result = started[index];
      if (result?.status === 'fulfilled') prisms.set(provider, result.value);
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...prisms.values()].map((prism) => prism.stop()));
    await sandboxes?.stop();
  });

  it('has Prism reject the schema-violation fault of every sandbox (so the checks below can fail)', async () => {
    const { palomma, delos, mollie, juspay } = sandboxes.sandboxes;
    await Promise.all(
      [palomma, delos, mollie, juspay].map((sandbox) =>
        sandbox.control.addFault({ route: 'get', kind: 'schema-violation', times: 1 }),
      ),
    );
    const tokens = await delosLogin(delos.origin);
    const results = await Promise.all([
      http(`${prismUrl('palomma')}/customers/01HPR57X6QR5ZRKEEKBSDBW4RA`, { headers: palommaAuth }),
      http(`${prismUrl('delos')}/v2/customer/D7k3xbc-ERrj-lde9k1t3XuaE`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      }),
      http(`${prismUrl('mollie')}/v2/customers/cst_tKt44u85MM`, { headers: mollieAuth }),
      http(`${prismUrl('juspay')}/customers/cst_vsypdzjd12zypfeu`, { headers: juspayAuth }),
    ]);
    for (const result of results) expect(result.headers.get('sl-violations')).toContain('"response"');
  });

  it('palomma: get, create, list (every page) and 404 match the contract', async () => {
    const base = prismUrl('palomma');
    expect(
      verdict(await http(`${base}/customers/01HPR57X6QR5ZRKEEKBSDBW4RA`, { headers: palommaAuth })),
    ).toEqual(clean(200));
    const created = await postJson(
      `${base}/customers`,
      {
        reference: 'contract-1',
        name: 'Pepito Perez',
        documentType: 'cc',
        documentNumber: '1037551022',
        email: 'pepito@gmail.com',
        phoneNumber: '3013111111',
      },
      palommaAuth,
    );
    expect(verdict(created)).toEqual(clean(200));
    const Page = z.object({ cursor: z.string().nullable() });
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=10&cursor=${encodeURIComponent(cursor)}` : '?limit=10';
      const page = await http(`${base}/customers${query}`, { headers: palommaAuth });
      expect(verdict(page)).toEqual(clean(200));
      cursor = Page.parse(page.json).cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(verdict(await http(`${base}/customers?reference=contract-1`, { headers: palommaAuth }))).toEqual(
      clean(200),
    );
    expect(
      verdict(await http(`${base}/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ`, { headers: palommaAuth })),
    ).toEqual(clean(404));
  });

  it('delos: login, refresh, get (both id namings), create, list and 404 match the contract', async () => {
    const base = prismUrl('delos');
    const { login, password } = { login: 'sandbox@delos.test', password: 'Sandbox-Passw0rd!' };
    const loggedIn = await postJson(`${base}/v2/auth/login`, { login, password });
    expect(verdict(loggedIn)).toEqual(clean(200));
    const tokens = z.object({ accessToken: z.string(), refreshToken: z.string() }).parse(loggedIn.json);
    const bearer = { authorization: `Bearer ${tokens.accessToken}` };
    for (const id of ['DqCsgSE-4e95-ViYbNI', 'DTchSol-4e95-Rt2uVw', 'D7k3xbc-ERrj-lde9k1t3XuaE']) {
      expect(verdict(await http(`${base}/v2/customer/${id}`, { headers: bearer }))).toEqual(clean(200));
    }
    const created = await postJson(
      `${base}/v2/customer`,
      { name: 'John', lastname: 'Doe', type: 'INDIVIDUAL', comment: 'Premium customer' },
      bearer,
    );
    expect(verdict(created)).toEqual(clean(200));
    for (const page of [1, 2]) {
      const list = await http(`${base}/v2/customer?page=${page}&pageSize=20`, { headers: bearer });
      expect(verdict(list)).toEqual(clean(200));
    }
    const filtered = await http(`${base}/v2/customer?customerName=john&fromCreateAt=2024-01-01T00:00:00Z`, {
      headers: bearer,
    });
    expect(verdict(filtered)).toEqual(clean(200));
    expect(verdict(await http(`${base}/v2/customer/Dnope-0000-missing`, { headers: bearer }))).toEqual(
      clean(404),
    );
    expect(verdict(await http(`${base}/v2/auth/refresh/${tokens.refreshToken}`))).toEqual(clean(200));
    expect(verdict(await http(`${base}/v2/auth/refresh/${tokens.refreshToken}`))).toEqual(clean(401));
  });

  it('mollie: get, create (and its replay), list pages, 404 and 410 match the contract', async () => {
    const base = prismUrl('mollie');
    expect(verdict(await http(`${base}/v2/customers/cst_tKt44u85MM`, { headers: mollieAuth }))).toEqual(
      clean(200),
    );
    const body = {
      name: 'Customer A',
      email: 'customer@example.org',
      locale: 'nl_NL',
      metadata: { ref: 'c-1' },
    };
    const headers = { ...mollieAuth, 'idempotency-key': 'contract-key-1' };
    expect(verdict(await postJson(`${base}/v2/customers`, body, headers))).toEqual(clean(201));
    const replay = await postJson(`${base}/v2/customers`, body, headers);
    expect(verdict(replay)).toEqual(clean(201));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const Page = z.object({ _links: z.object({ next: z.object({ href: z.string() }).nullable() }) });
    let next: string | null = `${base}/v2/customers?limit=10`;
    let pages = 0;
    while (next && pages < 10) {
      const page = await http(next, { headers: mollieAuth });
      expect(verdict(page)).toEqual(clean(200));
      const href = Page.parse(page.json)._links.next?.href;
      // The sandbox links to itself; go through Prism for the next page too.
      next = href ? `${base}${new URL(href).pathname}${new URL(href).search}` : null;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(verdict(await http(`${base}/v2/customers/cst_chinchilla`, { headers: mollieAuth }))).toEqual(
      clean(404),
    );
    await sandboxes.sandboxes.mollie.control.deleteCustomer('cst_8wmqcHMN4U');
    expect(verdict(await http(`${base}/v2/customers/cst_8wmqcHMN4U`, { headers: mollieAuth }))).toEqual(
      clean(410),
    );
  });

  it('juspay: get (by id, by reference, with token), form create, duplicate, list, 404 and 401 match the contract', async () => {
    const base = prismUrl('juspay');
    for (const path of [
      '/customers/cst_vsypdzjd12zypfeu',
      '/customers/customer',
      '/customers/cst_tooedar2k7j1d60b?options.get_client_auth_token=true',
    ]) {
      expect(verdict(await http(`${base}${path}`, { headers: juspayAuth }))).toEqual(clean(200));
    }
    const form = {
      object_reference_id: 'customer@gmail.com',
      mobile_number: '99887766',
      email_address: 'customer@gmail.com',
      first_name: 'John',
      last_name: 'Smith',
      mobile_country_code: '65',
      'options.get_client_auth_token': 'true',
    };
    expect(verdict(await postForm(`${base}/customers`, form, juspayAuth))).toEqual(clean(200));
    expect(verdict(await postForm(`${base}/customers`, form, juspayAuth))).toEqual(clean(400));
    for (const query of ['?count=20', '?offset=20&count=20']) {
      expect(verdict(await http(`${base}/customers${query}`, { headers: juspayAuth }))).toEqual(clean(200));
    }
    expect(verdict(await http(`${base}/customers/cst_missing`, { headers: juspayAuth }))).toEqual(clean(404));
    const wrongKey = `Basic ${Buffer.from('WRONGKEY:').toString('base64')}`;
    expect(
      verdict(
        await http(`${base}/customers/customer`, { headers: { ...juspayAuth, authorization: wrongKey } }),
      ),
    ).toEqual(clean(401));
  });
});
