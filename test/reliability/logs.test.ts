/**
 * Personal data and secrets in logs and answers. An end-to-end scenario with generated customers
 * (fast-check, fixed seed) runs through the live stack with the handlers logging at DEBUG to stdout,
 * as Lambda's Powertools do: creates, provider rejections, lookups by email, provider-side changes,
 * syncs through injected faults (errors, malformed and schema-breaking bodies, rotated credentials),
 * webhooks good and bad, and a store failure whose error quotes an email. Every byte written to
 * stdout/stderr and every API answer is captured; no email, phone number, document number, API key,
 * password or token may appear in the logs, and no secret in any answer.
 */
import fc from 'fast-check';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import type { CustomerStoreApi } from '../../lib/store/types.ts';
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import { CreateAnswerSchema, postWebhook, signedWebhook } from '../helpers/reliability/fixtures.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

interface GeneratedPerson {
  reference: string;
  givenName: string;
  familyName: string;
  email: string;
  /** Colombian mobile, E.164. */
  phone: string;
  document: { type: 'cc' | 'passport'; number: string };
}

const person: fc.Arbitrary<GeneratedPerson> = fc.record({
  reference: fc.stringMatching(/^logs-[a-z0-9]{10}$/),
  givenName: fc.constantFrom('Ximena', 'Joaquín', 'Lucía', 'Bartolomé'),
  familyName: fc.constantFrom('Quiñones', 'Zapata', 'Orozco'),
  email: fc.stringMatching(/^[a-z][a-z0-9]{4,10}(\.[a-z0-9]{2,6})?@(mail|correo|example)\.(com|co|net)$/),
  phone: fc.stringMatching(/^\+573[0-2][0-9]{8}$/),
  document: fc.oneof(
    fc.stringMatching(/^[1-9][0-9]{7,9}$/).map((number) => ({ type: 'cc' as const, number })),
    fc.stringMatching(/^[A-Z]{2}[0-9]{7}$/).map((number) => ({ type: 'passport' as const, number })),
  ),
});

/** Ways a value may be spelled in a log line (case, E.164 or national digits, JSON escaping). */
function spellings(value: string): string[] {
  const variants = new Set([value, value.toLowerCase(), JSON.stringify(value).slice(1, -1)]);
  if (value.startsWith('+57')) {
    variants.add(value.slice(1));
    variants.add(value.slice(3));
  }
  return [...variants].filter((variant) => variant.length >= 6);
}

let stack: ReliabilityStack;
let failEmailLookups = false;
const people = fc.sample(person, { numRuns: 6, seed: 20_251_122 });
const captured: string[] = [];
const answers: string[] = [];

function storeQuotingPii(store: CustomerStoreApi): CustomerStoreApi {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'findByEmail') return value.bind(target);
      return async (email: string) => {
        // DynamoDB's own validation errors quote key values: the logger must not print this one.
        if (failEmailLookups)
          throw new Error(`ValidationException: key EMAIL#${email} for ${email} is invalid`);
        return target.findByEmail(email);
      };
    },
  });
}

/** Everything written to stdout and stderr by this process while `fn` runs. */
async function capturingOutput(fn: () => Promise<void>): Promise<void> {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((item): item is () => void => typeof item === 'function');
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    await fn();
  } finally {
    streams.forEach((stream, index) => {
      const original = originals[index];
      if (original) stream.write = original;
    });
  }
}

async function call(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const response = await stack.api(path, init);
  const text = await response.text();
  answers.push(
    `${response.status} ${JSON.stringify(Object.fromEntries(response.headers.entries()))} ${text}`,
  );
  return new Response(text, { status: response.status, headers: response.headers });
}

beforeAll(async () => {
  stack = await startReliabilityStack({
    tablePrefix: 'rel-logs',
    logs: 'console',
    wrapStore: storeQuotingPii,
  });
}, 60_000);
afterAll(async () => stack?.stop());

describe('logs and answers of an end-to-end run with personal data', () => {
  const rotated: string[] = [];

  beforeAll(async () => {
    await capturingOutput(async () => {
      const created: Array<{ customerId: string; ids: Record<string, string> }> = [];
      for (const [index, pii] of people.entries()) {
        const providers: ProviderName[] =
          pii.document.type === 'cc' ? [...PROVIDERS] : ['delos', 'mollie', 'juspay'];
        if (index === 1) {
          countFaults();
          await stack.sandboxes.juspay.control.addFault({
            route: 'create',
            kind: 'error',
            status: 400,
            times: 1,
          });
        }
        const response = await call('/customers', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `logs-${pii.reference}` },
          body: JSON.stringify({ customer: { ...pii, kind: 'individual', locale: 'es_ES' }, providers }),
        });
        const parsed = CreateAnswerSchema.safeParse(await response.json());
        if (!parsed.success || response.status >= 300)
          throw new Error(`create ${index} answered ${response.status}: ${answers.at(-1)}`);
        created.push({
          customerId: parsed.data.customerId,
          ids: Object.fromEntries(
            Object.entries(parsed.data.providers).map(([provider, item]) => [
              provider,
              item.providerCustomerId ?? '',
            ]),
          ),
        });
      }
      // Refused input that carries personal data.
      const [first, second] = people;
      if (!first || !second) throw new Error('not enough generated people');
      await call('/customers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'logs-invalid' },
        body: JSON.stringify({
          customer: { ...first, reference: 'logs-x', email: `${first.email} `, phone: first.phone.slice(1) },
          providers: ['palomma'],
        }),
      });
      await call(`/customers?email=${encodeURIComponent(first.email)}`);
      await call(`/customers?reference=${encodeURIComponent(first.reference)}`);
      for (const item of created) await call(`/customers/${item.customerId}`);

      // Provider-side changes to new personal data, then syncs through every kind of fault.
      const target = created[0];
      if (!target) throw new Error('nothing created');
      await stack.sandboxes.palomma.control.patchCustomer(target.ids.palomma ?? '', {
        email: second.email,
        phoneNumber: second.phone.slice(3),
      });
      await stack.sandboxes.mollie.control.patchCustomer(target.ids.mollie ?? '', {
        email: second.email,
        name: `${second.givenName} ${second.familyName}`,
      });
      const faults: Array<
        [ProviderName, 'error' | 'malformed-json' | 'schema-violation' | 'unauthorized' | 'reset']
      > = [
        ['palomma', 'schema-violation'],
        ['mollie', 'malformed-json'],
        ['juspay', 'error'],
        ['delos', 'reset'],
      ];
      for (const [provider, kind] of faults) {
        await stack.sandboxes[provider].control.addFault({ route: 'get', kind });
      }
      countFaults(faults.length);
      await stack.syncAll();
      for (const provider of PROVIDERS) await stack.sandboxes[provider].control.clearFaults();
      // Credentials rotated at the provider: old ones now fail (401), then the new ones are configured.
      const newKeys: Partial<Record<'palomma' | 'mollie', string>> = {};
      for (const provider of ['palomma', 'mollie'] as const) {
        const credentials = await stack.sandboxes[provider].control.rotateCredentials();
        rotated.push(...Object.values(credentials));
        const apiKey = credentials.apiKey;
        if (apiKey) newKeys[provider] = apiKey;
      }
      countFaults(2);
      await stack.syncAll();
      if (!newKeys.palomma || !newKeys.mollie) throw new Error('rotation returned no API keys');
      await stack.reconfigure('palomma', { PALOMMA_API_KEY: newKeys.palomma });
      await stack.reconfigure('mollie', { MOLLIE_API_KEY: newKeys.mollie });
      await stack.syncAll();

      // Webhooks: genuine, and with every credential wrong.
      for (const provider of PROVIDERS) {
        const id = target.ids[provider];
        if (!id) continue;
        const genuine = signedWebhook(stack, provider, id, `logs-${provider}-${Date.now()}`);
        await postWebhook(stack, provider, genuine);
        await postWebhook(stack, provider, {
          ...genuine,
          headers: {
            ...genuine.headers,
            'x-signature': 'f'.repeat(64),
            'x-mollie-signature': 'x',
            authorization: 'Basic eDp5',
            'x-webhook-token': 'nope',
          },
        });
      }
      await stack.settle();

      // A store failure whose error message quotes personal data.
      failEmailLookups = true;
      countFaults();
      await call(`/customers?email=${encodeURIComponent(second.email)}`);
      failEmailLookups = false;
    });
  }, 120_000);

  it('captured the handlers’ log lines (so the checks below can fail)', () => {
    countScenario();
    const lines = captured
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(10);
    const levels = new Set(lines.map((line) => JSON.parse(line).level).filter(Boolean));
    expect([...levels]).toEqual(expect.arrayContaining(['WARN', 'ERROR']));
    expect(answers.some((answer) => answer.startsWith('500 '))).toBe(true);
  });

  it('prints no email, phone number or document number', () => {
    countScenario();
    const output = captured.join('');
    const leaks = people.flatMap((pii) =>
      [pii.email, pii.phone, pii.document.number]
        .flatMap(spellings)
        .filter((value) => output.includes(value)),
    );
    expect(leaks).toEqual([]);
  });

  it('prints no API key, password or token', () => {
    countScenario();
    const output = captured.join('');
    const secrets = [...stack.secrets(), ...rotated].filter((value) => value.length >= 8);
    expect(secrets.filter((secret) => output.includes(secret))).toEqual([]);
    // Delos access tokens are JWT-shaped; none may be printed.
    expect(output.match(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g) ?? []).toEqual([]);
  });

  it('answers without any secret', () => {
    countScenario();
    const text = answers.join('\n');
    expect(answers.length).toBeGreaterThan(10);
    const secrets = [...stack.secrets().filter((secret) => secret !== stack.apiKey), ...rotated].filter(
      (value) => value.length >= 8,
    );
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
    expect(text.includes(stack.apiKey)).toBe(false);
    expect(text.match(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g) ?? []).toEqual([]);
  });
});
