import * as z from 'zod';
import { type RunningSandbox, startSandbox } from '../../../sandbox/index.ts';
import { http, IdSchema, mollieAuth, postJson } from './helpers.ts';

const ListSchema = z.object({
  count: z.number(),
  _embedded: z.object({ customers: z.array(z.object({ id: z.string(), createdAt: z.string() })) }),
  _links: z.object({
    self: z.object({ href: z.string() }),
    previous: z.object({ href: z.string() }).nullable(),
    next: z.object({ href: z.string() }).nullable(),
  }),
});
const problem = (status: number, extra: Record<string, unknown> = {}) => ({
  status,
  title: expect.any(String),
  detail: expect.any(String),
  ...extra,
  _links: {
    documentation: { href: expect.stringMatching(/^https:\/\/docs\.mollie\.com\//), type: 'text/html' },
  },
});

describe('mollie sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('mollie', { seed: 8 });
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => sandbox.control.reset());

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    postJson(`${sandbox.url}/customers`, body, { ...mollieAuth, ...headers });

  it('answers 401 with a HAL problem without a valid test key', async () => {
    const result = await http(`${sandbox.url}/customers/cst_tKt44u85MM`, {
      headers: { authorization: 'Bearer test_wrong' },
    });
    expect(result.status).toBe(401);
    expect(result.headers.get('content-type')).toMatch(/^application\/hal\+json/);
    expect(result.json).toEqual(
      problem(401, {
        title: 'Unauthorized Request',
        detail: 'Missing authentication, or failed to authenticate',
      }),
    );
  });

  it('serves the documented get-customer example with absolute HAL links', async () => {
    const result = await http(`${sandbox.url}/customers/cst_tKt44u85MM`, { headers: mollieAuth });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/hal\+json/);
    expect(result.json).toEqual({
      resource: 'customer',
      id: 'cst_tKt44u85MM',
      mode: 'test',
      name: 'Jane Doe',
      email: 'test@mollie.com',
      locale: 'en_US',
      metadata: { someProperty: 'someValue', anotherProperty: 'anotherValue' },
      createdAt: '2022-01-03T13:42:04+00:00',
      _links: {
        self: { href: `${sandbox.url}/customers/cst_tKt44u85MM`, type: 'application/hal+json' },
        dashboard: { href: expect.stringContaining('/customers/cst_tKt44u85MM'), type: 'text/html' },
        documentation: { href: expect.any(String), type: 'text/html' },
      },
    });
  });

  it('creates a customer with 201 and answers 404 for an unknown id', async () => {
    const created = await create({
      name: 'Customer A',
      email: 'customer@example.org',
      metadata: { ref: 'r1' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      resource: 'customer',
      mode: 'test',
      locale: null,
      name: 'Customer A',
    });
    const { id } = IdSchema.parse(created.json);
    expect(id).toMatch(/^cst_\w{10}$/);
    expect((await http(`${sandbox.url}/customers/${id}`, { headers: mollieAuth })).status).toBe(200);
    const missing = await http(`${sandbox.url}/customers/cst_chinchilla`, { headers: mollieAuth });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(problem(404, { detail: 'No customer exists with token cst_chinchilla.' }));
  });

  it('refuses invalid create parameters with 422 naming the field', async () => {
    const cases = [
      [{ locale: 'xx_XX' }, 'locale'],
      [{ email: 'not-an-email' }, 'email'],
      [{ nickname: 'x' }, 'nickname'],
      [{ testmode: true }, 'testmode'],
      [{ metadata: 'x'.repeat(2000) }, 'metadata'],
    ] as const;
    for (const [body, field] of cases) {
      const result = await create(body);
      expect([result.status, result.json]).toEqual([422, problem(422, { field })]);
    }
  });

  it('replays a create with the same idempotency key and body', async () => {
    const first = await create({ name: 'Once' }, { 'idempotency-key': 'key-1' });
    const again = await create({ name: 'Once' }, { 'idempotency-key': 'key-1' });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json).toEqual(first.json);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await sandbox.control.stats()).created).toBe(1);
  });

  it('refuses the same idempotency key with another body with 400', async () => {
    await create({ name: 'Once' }, { 'idempotency-key': 'key-2' });
    const other = await create({ name: 'Twice' }, { 'idempotency-key': 'key-2' });
    expect(other.status).toBe(400);
    expect(other.json).toEqual(problem(400, { field: 'idempotency-key' }));
  });

  it('answers 409 to a duplicate key while the first request is still running', async () => {
    await sandbox.control.addFault({ route: 'create', kind: 'latency', ms: 400, times: 1 });
    const slow = create({ name: 'Slow' }, { 'idempotency-key': 'key-3' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const concurrent = await create({ name: 'Slow' }, { 'idempotency-key': 'key-3' });
    expect(concurrent.status).toBe(409);
    expect((await slow).status).toBe(201);
    expect((await create({ name: 'Slow' }, { 'idempotency-key': 'key-3' })).status).toBe(201);
    expect((await sandbox.control.stats()).created).toBe(1);
  });

  it('does not store a provider failure under an idempotency key', async () => {
    await sandbox.control.addFault({ route: 'create', kind: 'error', status: 503, times: 1 });
    const failed = await create({ name: 'Retry' }, { 'idempotency-key': 'key-4' });
    const retried = await create({ name: 'Retry' }, { 'idempotency-key': 'key-4' });
    expect([failed.status, retried.status]).toEqual([503, 201]);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('lists newest first and follows absolute next links to the end', async () => {
    const ids: string[] = [];
    let url: string | null = `${sandbox.url}/customers?limit=4`;
    let pages = 0;
    while (url) {
      const result = await http(url, { headers: mollieAuth });
      expect(result.status).toBe(200);
      const page = ListSchema.parse(result.json);
      expect(page.count).toBe(page._embedded.customers.length);
      if (pages > 0)
        expect(page._links.previous?.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/customers\?from=cst_/);
      ids.push(...page._embedded.customers.map((customer) => customer.id));
      url = page._links.next?.href ?? null;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    expect(ids.at(-1)).toBe('cst_8wmqcHMN4U');
  });

  it('lists oldest first with sort=asc, 50 by default, and refuses a bad limit or cursor', async () => {
    const asc = ListSchema.parse(
      (await http(`${sandbox.url}/customers?sort=asc`, { headers: mollieAuth })).json,
    );
    expect(asc._embedded.customers[0]?.id).toBe('cst_8wmqcHMN4U');
    expect(asc.count).toBe(10);
    expect(asc._links.next).toBeNull();
    const badLimit = await http(`${sandbox.url}/customers?limit=251`, { headers: mollieAuth });
    const badFrom = await http(`${sandbox.url}/customers?from=cst_unknown`, { headers: mollieAuth });
    expect([badLimit.status, badLimit.json]).toEqual([400, problem(400, { field: 'limit' })]);
    expect([badFrom.status, badFrom.json]).toEqual([
      400,
      problem(400, { field: 'from', detail: 'Invalid cursor value' }),
    ]);
  });

  it('answers 410 Gone for a customer the provider deleted', async () => {
    await sandbox.control.deleteCustomer('cst_tKt44u85MM');
    const result = await http(`${sandbox.url}/customers/cst_tKt44u85MM`, { headers: mollieAuth });
    expect(result.status).toBe(410);
    expect(result.json).toEqual(problem(410, { title: 'Gone' }));
  });
});
