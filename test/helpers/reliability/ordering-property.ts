/**
 * The ordering property, shared by the fast suite (few runs) and the chaos suite (many): random
 * interleavings of provider-side changes, scheduled syncs and authenticated webhooks, run against
 * the live stack. Every change gives the customer a new, unique given name (its "state"), so the
 * stored data can be matched to the exact provider state it came from.
 *
 * Checked after every step (while the queue is still working): the stored latest snapshot is a state
 * the provider really had, never older than one stored before (no stale overwrite), and history is the
 * provider's states in order, each at most once. Checked at the end (after one more scheduled run):
 * the stored latest snapshot equals the provider's newest state, field for field.
 */
import fc from 'fast-check';
import { PROVIDERS, type ProviderName } from '../../../lib/customer/snapshot.ts';
import { contentHash } from '../../../lib/store/content-hash.ts';
import { count } from './counters.ts';
import {
  type CreatedCustomer,
  createCustomer,
  idAt,
  nameFields,
  postWebhook,
  signedWebhook,
  sleep,
} from './fixtures.ts';
import type { ReliabilityStack } from './stack.ts';

export interface OrderingPropertyOptions {
  customers: number;
  numRuns: number;
  /** Steps per run; each step runs 1 to 3 actions at once. */
  maxSteps: number;
  seed?: number;
}

type Action =
  | { kind: 'change'; link: number }
  | { kind: 'scheduled'; provider: ProviderName }
  | { kind: 'webhook'; link: number }
  | { kind: 'pause'; ms: number };

interface TrackedLink {
  customer: CreatedCustomer;
  provider: ProviderName;
  providerCustomerId: string;
  /** Given names the provider has had, oldest first. */
  states: string[];
  /** Index (in `states`) of the newest state seen stored so far. */
  seen: number;
}

export async function runOrderingProperty(
  stack: ReliabilityStack,
  options: OrderingPropertyOptions,
): Promise<void> {
  const links: TrackedLink[] = [];
  for (let index = 0; index < options.customers; index++) {
    const customer = await createCustomer(stack, `order-${index}-${Date.now()}`, PROVIDERS);
    for (const provider of PROVIDERS) {
      links.push({
        customer,
        provider,
        providerCustomerId: idAt(customer, provider),
        states: ['Ana'],
        seen: 0,
      });
    }
  }
  let sequence = 0;

  const linkIndex = fc.integer({ min: 0, max: links.length - 1 });
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 4, arbitrary: linkIndex.map((link): Action => ({ kind: 'change', link })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...PROVIDERS).map((provider): Action => ({ kind: 'scheduled', provider })),
    },
    { weight: 3, arbitrary: linkIndex.map((link): Action => ({ kind: 'webhook', link })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((ms): Action => ({ kind: 'pause', ms })) },
  );
  const steps = fc.array(fc.array(action, { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: options.maxSteps,
  });

  const tracked = (index: number): TrackedLink => {
    const link = links[index];
    if (!link) throw new Error(`no link ${index}`);
    return link;
  };

  async function perform(step: Action): Promise<void> {
    switch (step.kind) {
      case 'change': {
        const link = tracked(step.link);
        const state = `G${++sequence}x${Date.now() % 1000}`;
        // Recorded before the provider has it: a fetch may see it as soon as the patch lands.
        link.states.push(state);
        await stack.sandboxes[link.provider].control.patchCustomer(
          link.providerCustomerId,
          nameFields(link.provider, state),
        );
        return;
      }
      case 'scheduled':
        await stack.runScheduler(step.provider, 'due');
        return;
      case 'webhook': {
        const link = tracked(step.link);
        const webhook = signedWebhook(
          stack,
          link.provider,
          link.providerCustomerId,
          `order-evt-${++sequence}-${Date.now()}`,
        );
        const response = await postWebhook(stack, link.provider, webhook);
        if (response.status !== 200) throw new Error(`webhook ${link.provider} answered ${response.status}`);
        return;
      }
      case 'pause':
        await sleep(step.ms);
        return;
    }
  }

  async function historyStates(link: TrackedLink): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.store.getHistory({
        customerId: link.customer.customerId,
        provider: link.provider,
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      names.push(...page.items.map((entry) => entry.snapshot.givenName ?? '(none)'));
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return names.reverse();
  }

  /** Throws describing the first broken rule; `final` also demands the newest state. */
  async function check(final: boolean): Promise<void> {
    for (const link of links) {
      const record = await stack.store.getCustomer(link.customer.customerId);
      const stored = record?.links.find((item) => item.provider === link.provider);
      const name = stored?.snapshot?.givenName ?? '(none)';
      const where = `${link.provider} ${link.providerCustomerId}`;
      const index = link.states.lastIndexOf(name);
      if (index < 0)
        throw new Error(`${where}: stored "${name}" was never a provider state (${link.states.join(' → ')})`);
      if (index < link.seen) {
        throw new Error(
          `${where}: stale overwrite, "${name}" replaced the newer "${link.states[link.seen]}"`,
        );
      }
      link.seen = index;
      const history = await historyStates(link);
      let previous = -1;
      for (const state of history) {
        const at = link.states.indexOf(state, previous + 1);
        if (at < 0) {
          throw new Error(
            `${where}: history ${history.join(' → ')} is not the provider's order ${link.states.join(' → ')}`,
          );
        }
        previous = at;
      }
      // The link was read before its history, so a write in between may have added newer items.
      const position = history.lastIndexOf(name);
      const newerOnly = history.slice(position + 1).every((state) => link.states.indexOf(state) > index);
      if (position < 0 || (final ? position !== history.length - 1 : !newerOnly)) {
        throw new Error(`${where}: latest "${name}" is not the last history item (${history.join(' → ')})`);
      }
      if (final) {
        const newest = link.states.at(-1);
        if (name !== newest) throw new Error(`${where}: stored "${name}", provider has "${newest}"`);
        const adapter = stack.adapters[link.provider];
        const current = adapter ? await adapter.getCustomer(link.providerCustomerId) : null;
        if (!current || !stored?.snapshot || contentHash(current) !== contentHash(stored.snapshot)) {
          throw new Error(`${where}: stored snapshot differs from the provider's current one`);
        }
      }
    }
  }

  await fc.assert(
    fc.asyncProperty(steps, async (plan) => {
      for (const group of plan) {
        await Promise.all(group.map(perform));
        await check(false);
      }
      await stack.settle();
      await stack.syncAll();
      await check(true);
      count({ scenarios: 1, customersChecked: options.customers });
    }),
    // No shrinking: the provider and the store keep their state between runs, so a replayed prefix is
    // not the same experiment; the first counterexample and its seed are what matter.
    {
      numRuns: options.numRuns,
      endOnFailure: true,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
  );
}
