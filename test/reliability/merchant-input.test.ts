/**
 * Merchant input to POST /customers, over HTTP through the local gateway: any combination of broken
 * fields (fast-check) comes back as ONE 400 naming exactly those fields, and a customer that is valid
 * but misses a provider's own requirements gets each provider's problems under `providers.<name>`.
 * Nothing is called at a provider and nothing is written.
 */
import fc from 'fast-check';
import * as z from 'zod';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import { countScenario } from '../helpers/reliability/counters.ts';
import { customerInput } from '../helpers/reliability/fixtures.ts';
import { ProblemSchema } from '../helpers/reliability/http.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

let stack: ReliabilityStack;
beforeAll(async () => {
  stack = await startReliabilityStack({ tablePrefix: 'rel-input' });
}, 60_000);
afterAll(async () => stack?.stop());
beforeEach(() => countScenario());

const ErrorsSchema = ProblemSchema.extend({
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});

async function untouched(): Promise<unknown> {
  return {
    tables: await stack.digest(),
    providers: await Promise.all(
      PROVIDERS.map(async (provider) => (await stack.sandboxes[provider].control.stats()).requests),
    ),
  };
}

async function create(
  body: unknown,
  headers: Record<string, string> = { 'idempotency-key': `input-${Date.now()}-${Math.random()}` },
) {
  const response = await stack.api('/customers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const problem = ErrorsSchema.parse(await response.json());
  return { status: response.status, problem };
}

const documentOf = (customer: Record<string, unknown>): Record<string, unknown> =>
  typeof customer.document === 'object' && customer.document !== null ? { ...customer.document } : {};

/** One broken field each: what to set (document fields merge into `document`), and the field the 400 must name. */
const BREAKERS: Record<
  string,
  { field: string; set?: Record<string, unknown>; document?: Record<string, unknown> }
> = {
  email: { field: 'customer.email', set: { email: 'not-an-email' } },
  phone: { field: 'customer.phone', set: { phone: '3013111111' } },
  locale: { field: 'customer.locale', set: { locale: 'english' } },
  documentNumber: { field: 'customer.document.number', document: { number: '!!' } },
  documentType: { field: 'customer.document.type', document: { type: 'dni' } },
  givenName: { field: 'customer.givenName', set: { givenName: 'x'.repeat(65) } },
  familyName: { field: 'customer.familyName', set: { familyName: 42 } },
  reference: { field: 'customer.reference', set: { reference: '' } },
  kind: { field: 'customer.kind', set: { kind: 'robot' } },
  metadata: { field: 'customer.metadata.tags', set: { metadata: { tags: ['a', 'b'] } } },
};

function breakField(customer: Record<string, unknown>, name: string): void {
  const breaker = BREAKERS[name];
  if (!breaker) throw new Error(`no breaker ${name}`);
  Object.assign(customer, breaker.set ?? {});
  if (breaker.document) customer.document = { ...documentOf(customer), ...breaker.document };
}

describe('POST /customers input validation', () => {
  it('names every broken field of any combination in one 400, creating nothing', async () => {
    const before = await untouched();
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(Object.keys(BREAKERS), { minLength: 1 }),
        fc.boolean(),
        fc.boolean(),
        async (broken, withoutKey, badProviders) => {
          const customer = customerInput(`input-${broken.join('-')}`.slice(0, 60));
          for (const name of broken) breakField(customer, name);
          const { status, problem } = await create(
            { customer, providers: badProviders ? ['stripe'] : ['mollie'] },
            withoutKey ? {} : { 'idempotency-key': `input-${Date.now()}` },
          );
          const expected = new Set(broken.map((name) => BREAKERS[name]?.field));
          if (withoutKey) expected.add('header.idempotency-key');
          if (badProviders) expected.add('providers.0');
          expect(status).toBe(400);
          expect(new Set(problem.errors.map((error) => error.field))).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
    expect(await untouched()).toEqual(before);
  });

  it('names an unknown customer field and an unknown top-level field', async () => {
    const { status, problem } = await create({
      customer: { ...customerInput('input-unknown-1'), nickname: 'x' },
      providers: ['mollie'],
      priority: 'high',
    });
    expect(status).toBe(400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'priority', message: expect.any(String) },
        { field: expect.stringMatching(/^customer/), message: expect.stringContaining('nickname') },
      ]),
    );
  });

  it('reports each provider’s own requirements under that provider, all at once', async () => {
    const before = await untouched();
    const customer = customerInput('short1', {
      document: { type: 'passport', number: 'AB1234567' },
      locale: 'xx_XX',
    });
    delete customer.phone;
    const { status, problem } = await create({ customer, providers: [...PROVIDERS] });
    expect(status).toBe(400);
    const byProvider = (provider: ProviderName) =>
      problem.errors
        .filter((error) => error.field === `providers.${provider}`)
        .map((error) => error.message.split(' ')[0]);
    // Palomma takes only its own document types and a Colombian phone; Juspay an 8+ character reference and a phone.
    expect(byProvider('palomma').sort()).toEqual(['customer.document.type', 'customer.phone']);
    expect(byProvider('juspay').sort()).toEqual(['customer.phone', 'customer.reference']);
    expect(byProvider('mollie')).toEqual(['customer.locale']);
    expect(byProvider('delos')).toEqual([]);
    expect(
      problem.errors.find(
        (error) => error.field === 'providers.palomma' && error.message.startsWith('customer.document.type'),
      )?.message,
    ).toMatch(/cc.*ce.*nit/);
    expect(
      problem.errors.find(
        (error) => error.field === 'providers.juspay' && error.message.startsWith('customer.reference'),
      )?.message,
    ).toMatch(/8/);
    expect(await untouched()).toEqual(before);
  });

  it('checks a provider’s requirements only for the providers asked for', async () => {
    const customer = customerInput('short1', { document: { type: 'passport', number: 'AB1234567' } });
    const onlyDelos = await stack.api('/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `input-delos-${Date.now()}` },
      body: JSON.stringify({ customer, providers: ['delos'] }),
    });
    expect(onlyDelos.status).toBe(201);
  });

  it('names company requirements per provider for a company without a company name', async () => {
    const customer = customerInput('input-company-1', { kind: 'company' });
    const { status, problem } = await create({ customer, providers: ['palomma', 'delos'] });
    expect(status).toBe(400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'providers.palomma', message: expect.stringMatching(/^customer\.companyName/) },
        { field: 'providers.delos', message: expect.stringMatching(/^customer\.companyName/) },
      ]),
    );
  });
});
