/**
 * The chaos suite's files live under test/chaos/ and run only under jest.chaos.config.js, which sets
 * the `__RELIABILITY_SUITE__` global. Should `npm test`'s config pick them up, they skip themselves
 * instead of adding minutes to it.
 */
export function isChaosSuite(): boolean {
  return Reflect.get(globalThis, '__RELIABILITY_SUITE__') === 'chaos';
}

export const describeChaos: jest.Describe = isChaosSuite() ? describe : describe.skip;
