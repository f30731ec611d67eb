/**
 * Every documented provider payload (test/fixtures/providers/<provider>/<name>.json, verbatim from the
 * seeds and providers.md) goes through the real adapter over real HTTP: a local server answers with the
 * payload and the adapter's snapshot or typed error must equal <name>.expected.json exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { loadProviderConfigs } from '../../../lib/config/providers.ts';
import { CustomerInputSchema } from '../../../lib/customer/input.ts';
import { type ProviderName, ProviderNameSchema } from '../../../lib/customer/snapshot.ts';
import {
  isProviderError,
  ProviderContractError,
  ProviderRateLimitedError,
} from '../../../lib/http/errors.ts';
import { parseDelosWebhook } from '../../../lib/providers/delos/webhook.ts';
import { DelosTokenResponseSchema } from '../../../lib/providers/delos/wire.ts';
import { createAdapter, type HttpProviderAdapter } from '../../../lib/providers/registry.ts';
import { type LocalServer, sendJson, startLocalServer } from '../http/local-server.ts';
import { providerEnv } from './provider-env.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/providers');
const FETCHED_AT = new Date('2025-01-01T00:00:00.000Z');

const ExpectationSchema = z.strictObject({
  source: z.string().min(1),
  operation: z.enum(['getCustomer', 'createCustomer', 'listCustomers', 'parseTokens', 'parseWebhook']),
  status: z.number().int().min(200).max(599).optional(),
  /** createCustomer: the merchant input. */
  input: z.unknown().optional(),
  /** A fixture answering the next data request (Juspay: the GET that resolves a duplicate create). */
  followedBy: z.string().optional(),
  expected: z.unknown(),
});

interface Case {
  provider: ProviderName;
  name: string;
  body: unknown;
  expectation: z.infer<typeof ExpectationSchema>;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

function loadCases(): Case[] {
  return readdirSync(FIXTURES).flatMap((dir) => {
    const provider = ProviderNameSchema.parse(dir);
    return readdirSync(join(FIXTURES, dir))
      .filter((file) => file.endsWith('.expected.json'))
      .sort()
      .map((file) => {
        const name = file.replace(/\.expected\.json$/, '');
        return {
          provider,
          name,
          body: readJson(join(FIXTURES, dir, `${name}.json`)),
          expectation: ExpectationSchema.parse(readJson(join(FIXTURES, dir, file))),
        };
      });
  });
}

/** The typed error as plain data: what callers may branch on, and its exact (PII-free) message. */
function describeError(error: unknown): unknown {
  if (!isProviderError(error)) throw error;
  return JSON.parse(
    JSON.stringify({
      error: error.name,
      message: error.message,
      status: error.status,
      providerMessage: error.providerMessage,
      providerCode: error.providerCode,
      retryable: error.retryable,
      retryAfterSeconds: error instanceof ProviderRateLimitedError ? error.retryAfterSeconds : undefined,
      issues: error instanceof ProviderContractError ? error.issues : undefined,
    }),
  );
}

async function run(adapter: HttpProviderAdapter, expectation: Case['expectation']): Promise<unknown> {
  try {
    switch (expectation.operation) {
      case 'getCustomer':
        return await adapter.getCustomer('fixture-customer-id');
      case 'createCustomer':
        return await adapter.createCustomer(
          CustomerInputSchema.parse(expectation.input),
          'fixture-idempotency-key',
        );
      case 'listCustomers': {
        for await (const page of adapter.listCustomers()) return page;
        throw new Error('listCustomers yielded no page');
      }
      default:
        throw new Error(`not an adapter operation: ${expectation.operation}`);
    }
  } catch (error) {
    return describeError(error);
  }
}

describe('provider fixtures', () => {
  const cases = loadCases();
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('covers every fixture with an expectation', () => {
    for (const dir of readdirSync(FIXTURES)) {
      const files = readdirSync(join(FIXTURES, dir));
      const payloads = files.filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'));
      const expected = files.filter((file) => file.endsWith('.expected.json'));
      const referenced = new Set(
        expected.flatMap((file) => {
          const { followedBy } = ExpectationSchema.parse(readJson(join(FIXTURES, dir, file)));
          return [file.replace('.expected.json', '.json'), ...(followedBy ? [followedBy] : [])];
        }),
      );
      expect(payloads.filter((file) => !referenced.has(file))).toEqual([]);
    }
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((c) => [`${c.provider}/${c.name}`, c] as const))('%s', async (_label, testCase) => {
    const { provider, body, expectation } = testCase;

    if (expectation.operation === 'parseTokens') {
      expect(DelosTokenResponseSchema.parse(body)).toEqual(expectation.expected);
      return;
    }
    if (expectation.operation === 'parseWebhook') {
      expect(parseDelosWebhook(body)).toEqual(expectation.expected);
      return;
    }

    const responses: { status: number; body: unknown }[] = [{ status: expectation.status ?? 200, body }];
    if (expectation.followedBy) {
      responses.push({ status: 200, body: readJson(join(FIXTURES, provider, expectation.followedBy)) });
    }
    server = await startLocalServer((request, res) => {
      if (request.method === 'POST' && request.url === '/v2/auth/login') {
        sendJson(res, 200, {
          accessToken: 'fixture-access-token',
          refreshToken: 'fixture-refresh',
          accessTtl: 3600,
        });
        return;
      }
      if (
        provider === 'palomma' &&
        request.url.startsWith('/v0/customers?') &&
        request.url.includes('reference=')
      ) {
        sendJson(res, 200, { items: [], cursor: null, count: 0 });
        return;
      }
      const next = responses.length > 1 ? responses.shift() : responses[0];
      if (!next) throw new Error('no response left');
      if (next.body === '') {
        res.writeHead(next.status);
        res.end();
      } else {
        sendJson(res, next.status, next.body);
      }
    });
    const configs = await loadProviderConfigs(providerEnv(provider, server.url, { retryLimit: 0 }), {
      providers: [provider],
    });
    const config = configs[provider];
    if (!config) throw new Error('not configured');
    const adapter = createAdapter(provider, config, { clock: () => FETCHED_AT });
    expect(await run(adapter, expectation)).toEqual(expectation.expected);
  });
});
