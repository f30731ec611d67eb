/**
 * Runs the four provider sandboxes in their own process for the benchmarks. Providers are remote in
 * production: hosting them beside the code under test would bill their CPU to it (on a 2-core machine,
 * to the same event loop). The parent talks to them over HTTP only: provider APIs and `/__control`.
 *
 * Started with IPC; sends `{ type: 'ready', sandboxes }` once listening and exits when the parent goes.
 */
import { startSandboxes } from '../../sandbox/index.ts';

const seed = Number(process.argv[2] ?? '0');
const running = await startSandboxes({ seed });
const sandboxes = Object.fromEntries(
  Object.entries(running.sandboxes).map(([provider, sandbox]) => [
    provider,
    { url: sandbox.url, origin: sandbox.origin },
  ]),
);

const shutdown = async () => {
  await running.stop();
  process.exit(0);
};
process.on('disconnect', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.send?.({ type: 'ready', sandboxes });
