/**
 * The Mollie adapter validates locales before any call and the Mollie sandbox refuses unknown ones,
 * both from one list: it must be exactly the `Locale` enum of the project's Mollie contract (which
 * shared-contracts.test.ts compares with Mollie's official spec when ../shared is present).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import { MOLLIE_LOCALES } from '../../lib/providers/mollie/adapter.ts';

const CONTRACT = join(import.meta.dirname, '../../contracts/mollie.openapi.yaml');

describe('Mollie locales', () => {
  it('are exactly the Locale enum of the Mollie contract, besides null', () => {
    const contract = z
      .object({
        components: z.object({
          schemas: z.object({ Locale: z.object({ enum: z.array(z.string().nullable()) }) }),
        }),
      })
      .parse(parse(readFileSync(CONTRACT, 'utf8')));
    // The contract's enum also allows null (no locale set).
    expect([...MOLLIE_LOCALES, null]).toEqual(contract.components.schemas.Locale.enum);
  });
});
