/**
 * Poison messages on the live stack: a message that keeps failing is delivered the configured number of
 * times (the local stage's dlqMaxReceiveCount, as in AWS), then lands in the DLQ holding the sync
 * message itself (customer, provider, reason) and its receive count, while the customer's sync state
 * says what broke. Other customers in the same run finish. After the fix, redriving the DLQ message
 * (SQS redrive moves the same body back to the queue) completes it.
 */
import { stageConfig } from '../../infra/stages.ts';
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import { type CreatedCustomer, createCustomer, idAt, nameFields } from '../helpers/reliability/fixtures.ts';
import { Ledger } from '../helpers/reliability/ledger.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';

const MAX_RECEIVES = stageConfig('local').sync.dlqMaxReceiveCount;

let stack: ReliabilityStack;
const ledger = new Ledger();
let poisoned: CreatedCustomer;
let healthy: CreatedCustomer;

beforeAll(async () => {
  stack = await startReliabilityStack({ tablePrefix: 'rel-poison', providers: ['palomma', 'juspay'] });
  [poisoned, healthy] = await Promise.all([
    createCustomer(stack, `poison-bad-${Date.now()}`, ['palomma', 'juspay']),
    createCustomer(stack, `poison-good-${Date.now()}`, ['palomma', 'juspay']),
  ]);
  ledger.expect(poisoned.reference, ['palomma', 'juspay']);
  ledger.expect(healthy.reference, ['palomma', 'juspay']);
}, 60_000);
afterAll(async () => stack?.stop());
beforeEach(() => countScenario());

const linkOf = async (customer: CreatedCustomer, provider: 'palomma' | 'juspay') => {
  const record = await stack.store.getCustomer(customer.customerId);
  return {
    link: record?.links.find((item) => item.provider === provider),
    sync: record?.syncStates.find((item) => item.provider === provider),
  };
};

describe('poison messages and the DLQ', () => {
  it('dead-letters a customer whose provider data breaks the wire schema, with what a redrive needs, and redrives it after the fix', async () => {
    // The provider starts sending this one customer with a field of the wrong type.
    await stack.sandboxes.palomma.control.patchCustomer(idAt(poisoned, 'palomma'), { email: 12345 });
    await stack.sandboxes.palomma.control.patchCustomer(
      idAt(healthy, 'palomma'),
      nameFields('palomma', 'Healthy'),
    );
    countFaults();
    const before = (await linkOf(poisoned, 'palomma')).link;
    const fetches = stack.fetches.length;
    await stack.syncAll(['palomma']);

    const letters = stack.deadLetters().filter((letter) => letter.message.customerId === poisoned.customerId);
    expect(letters).toEqual([
      {
        messageId: expect.any(String),
        message: { customerId: poisoned.customerId, provider: 'palomma', reason: 'scheduled' },
        receiveCount: MAX_RECEIVES,
        at: expect.any(String),
      },
    ]);
    expect(
      stack.fetches.slice(fetches).filter((fetch) => fetch.providerCustomerId === idAt(poisoned, 'palomma')),
    ).toHaveLength(MAX_RECEIVES);
    const failing = await linkOf(poisoned, 'palomma');
    expect(failing.link).toEqual(before);
    expect(failing.sync).toMatchObject({
      consecutiveFailures: MAX_RECEIVES,
      lastError: { name: 'ProviderContractError', message: expect.stringContaining('email') },
    });
    // The other customer of the same run finished.
    expect((await linkOf(healthy, 'palomma')).link?.snapshot?.givenName).toBe('Healthy');
    expect(stack.deadLetters().filter((letter) => letter.message.customerId !== poisoned.customerId)).toEqual(
      [],
    );

    // The provider fixes its data; the operator redrives the DLQ message.
    await stack.sandboxes.palomma.control.patchCustomer(idAt(poisoned, 'palomma'), {
      email: 'fixed@example.com',
    });
    const letter = letters[0];
    if (!letter) throw new Error('no dead letter');
    await stack.queue.send([letter.message]);
    await stack.settle();
    const healed = await linkOf(poisoned, 'palomma');
    expect(healed.link?.snapshot?.email).toBe('fixed@example.com');
    expect(healed.sync).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('dead-letters messages for a provider this worker cannot serve, and completes them once it is configured', async () => {
    const adapter = stack.adapters.juspay;
    if (!adapter) throw new Error('no juspay adapter');
    await stack.sandboxes.juspay.control.patchCustomer(
      idAt(healthy, 'juspay'),
      nameFields('juspay', 'Redriven'),
    );
    // A deployment bug: the worker lost its Juspay configuration.
    delete stack.adapters.juspay;
    countFaults();
    const deadBefore = stack.deadLetters().length;
    await stack.syncAll(['juspay']);
    const letters = stack.deadLetters().slice(deadBefore);
    expect(
      letters.map((letter) => letter.message).sort((a, b) => a.customerId.localeCompare(b.customerId)),
    ).toEqual(
      [poisoned, healthy]
        .map((customer) => ({ customerId: customer.customerId, provider: 'juspay', reason: 'scheduled' }))
        .sort((a, b) => a.customerId.localeCompare(b.customerId)),
    );
    expect(letters.every((letter) => letter.receiveCount === MAX_RECEIVES)).toBe(true);
    expect((await linkOf(healthy, 'juspay')).link?.snapshot?.givenName).toBe('Ana');

    stack.adapters.juspay = adapter;
    await stack.queue.send(letters.map((letter) => letter.message));
    await stack.settle();
    expect((await linkOf(healthy, 'juspay')).link?.snapshot?.givenName).toBe('Redriven');
    expect(stack.deadLetters().length).toBe(deadBefore + letters.length);
  });

  it('dead-letters a message naming a customer that does not exist, without holding up the others', async () => {
    const deadBefore = stack.deadLetters().length;
    await stack.queue.send([
      { customerId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', provider: 'palomma', reason: 'manual' },
      { customerId: healthy.customerId, provider: 'palomma', reason: 'manual' },
    ]);
    await stack.settle();
    expect(
      stack
        .deadLetters()
        .slice(deadBefore)
        .map((letter) => letter.message.customerId),
    ).toEqual(['01ARZ3NDEKTSV4RRFFQ69G5FAV']);
    const report = await ledger.verify(stack);
    expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: [], duplicated: [] });
  });
});
