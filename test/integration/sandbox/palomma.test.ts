import * as z from 'zod';
import { type RunningSandbox, startSandbox } from '../../../sandbox/index.ts';
import { PALOMMA_EXAMPLE_CUSTOMER } from '../../../sandbox/palomma.ts';
import { http, IdSchema, palommaAuth, postJson } from './helpers.ts';

const PageSchema = z.object({
  items: z.array(z.object({ id: z.string(), reference: z.string().optional() })),
  cursor: z.string().nullable(),
  count: z.number(),
});

const validInput = {
  reference: 'merchant-ref-1',
  name: 'Ana María Restrepo',
  documentType: 'cc',
  documentNumber: '1020304050',
  email: 'ana@example.co',
  phoneNumber: '3001234567',
};

describe('palomma sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('palomma', { seed: 30 });
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => sandbox.control.reset());

  it('answers 401 with a message when the bearer key is missing or wrong', async () => {
    const missing = await http(`${sandbox.url}/customers/${PALOMMA_EXAMPLE_CUSTOMER.id}`);
    const wrong = await http(`${sandbox.url}/customers/${PALOMMA_EXAMPLE_CUSTOMER.id}`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(wrong.json).toEqual({ message: 'Unauthorized' });
  });

  it('serves the documented example customer', async () => {
    const result = await http(`${sandbox.url}/customers/${PALOMMA_EXAMPLE_CUSTOMER.id}`, {
      headers: palommaAuth,
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.json).toEqual({ ...PALOMMA_EXAMPLE_CUSTOMER });
  });

  it('answers 404 with a message for an unknown customer and an unknown route', async () => {
    const customer = await http(`${sandbox.url}/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ`, {
      headers: palommaAuth,
    });
    const route = await http(`${sandbox.url}/payins`, { headers: palommaAuth });
    expect(customer.status).toBe(404);
    expect(customer.json).toEqual({ message: 'Customer not found' });
    expect(route.status).toBe(404);
    expect(route.json).toEqual({ message: 'Not found' });
  });

  it('creates a customer with a ULID id that can be fetched back', async () => {
    const created = await postJson(`${sandbox.url}/customers`, validInput, palommaAuth);
    expect(created.status).toBe(200);
    const { id } = IdSchema.parse(created.json);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const fetched = await http(`${sandbox.url}/customers/${id}`, { headers: palommaAuth });
    expect(fetched.json).toEqual(created.json);
    expect(fetched.json).toMatchObject({ ...validInput, createdAt: expect.stringMatching(/Z$/) });
    expect((await sandbox.control.stats()).created).toBe(1);
  });

  it.each(['name', 'documentType', 'documentNumber', 'email', 'phoneNumber'])(
    'rejects a create without %s with a 400 naming the field',
    async (field) => {
      const input: Record<string, string> = { ...validInput };
      delete input[field];
      const result = await postJson(`${sandbox.url}/customers`, input, palommaAuth);
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ message: `${field} is required` });
    },
  );

  it('rejects an unknown document type and a body that is not JSON', async () => {
    const badType = await postJson(
      `${sandbox.url}/customers`,
      { ...validInput, documentType: 'passport' },
      palommaAuth,
    );
    const notJson = await http(`${sandbox.url}/customers`, {
      method: 'POST',
      headers: { ...palommaAuth, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(badType.status).toBe(400);
    expect(badType.json).toEqual({ message: 'documentType must be one of: cc, ce, nit' });
    expect(notJson.status).toBe(400);
  });

  it('pages through every customer with limit and cursor until the cursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=7&cursor=${encodeURIComponent(cursor)}` : 'limit=7';
      const result = await http(`${sandbox.url}/customers?${query}`, { headers: palommaAuth });
      expect(result.status).toBe(200);
      const page = PageSchema.parse(result.json);
      expect(page.count).toBe(31);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(31);
    expect(seen).toEqual([...seen].sort());
  });

  it('uses 20 as the default page size and refuses a limit above 100 or a foreign cursor', async () => {
    const page = PageSchema.parse((await http(`${sandbox.url}/customers`, { headers: palommaAuth })).json);
    const tooMany = await http(`${sandbox.url}/customers?limit=101`, { headers: palommaAuth });
    const badCursor = await http(`${sandbox.url}/customers?cursor=garbage`, { headers: palommaAuth });
    expect(page.items).toHaveLength(20);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toEqual({ message: 'limit must be an integer between 1 and 100' });
    expect(badCursor.status).toBe(400);
  });

  it('filters the list by merchant reference', async () => {
    await postJson(`${sandbox.url}/customers`, validInput, palommaAuth);
    const result = await http(`${sandbox.url}/customers?reference=${validInput.reference}`, {
      headers: palommaAuth,
    });
    const page = PageSchema.parse(result.json);
    expect(page.items.map((item) => item.reference)).toEqual([validInput.reference]);
    expect(page).toMatchObject({ count: 1, cursor: null });
  });

  it('generates the same demo customers on every start', async () => {
    const other = await startSandbox('palomma', { seed: 30 });
    try {
      expect(await other.control.listCustomers()).toEqual(await sandbox.control.listCustomers());
    } finally {
      await other.stop();
    }
  });
});
