/**
 * `npm run sandbox`: starts the four provider sandboxes on their default ports (4101–4104) with demo
 * customers, prints where they are and the sandbox credentials, and runs until Ctrl-C.
 *
 *   node sandbox/cli.ts [--seed 25] [--delos-ttl 300] [--host 127.0.0.1] [--port-base 4101]
 *
 * `--port-base` moves all four (palomma, delos, mollie, juspay on base, +1, +2, +3), e.g. while
 * `npm start` holds the defaults.
 *
 * The printed credentials are the sandbox's own fixed, fake ones; nothing real is ever printed.
 */
import { parseArgs } from 'node:util';
import { PROVIDERS } from '../lib/customer/snapshot.ts';
import { isAddressInUse, SANDBOX_CREDENTIALS, SANDBOX_DEFAULT_PORTS, startSandboxes } from './index.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '25' },
    'delos-ttl': { type: 'string' },
    host: { type: 'string' },
    'port-base': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: node sandbox/cli.ts [--seed 25] [--delos-ttl 300] [--host 127.0.0.1] [--port-base 4101]\n',
  );
  process.exit(0);
}

const seed = Number(values.seed);
const delosTtl = values['delos-ttl'] === undefined ? undefined : Number(values['delos-ttl']);
const portBase = values['port-base'] === undefined ? undefined : Number(values['port-base']);
if (
  !Number.isInteger(seed) ||
  seed < 0 ||
  (delosTtl !== undefined && !(delosTtl > 0)) ||
  (portBase !== undefined && !(Number.isInteger(portBase) && portBase > 0 && portBase < 65_533))
) {
  process.stderr.write('--seed: integer >= 0; --delos-ttl: seconds > 0; --port-base: a TCP port\n');
  process.exit(2);
}

const ports =
  portBase === undefined
    ? SANDBOX_DEFAULT_PORTS
    : Object.fromEntries(PROVIDERS.map((provider, index) => [provider, portBase + index]));

const running = await startSandboxes({
  ports,
  seed,
  ...(delosTtl === undefined ? {} : { delosAccessTtlSeconds: delosTtl }),
  ...(values.host === undefined ? {} : { host: values.host }),
}).catch((error: unknown) => {
  process.stderr.write(
    isAddressInUse(error) && error instanceof Error
      ? `A sandbox port is already in use (${error.message}); stop the other process or pass --port-base.\n`
      : `Could not start the sandboxes: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

const lines = [`Provider sandboxes (${seed} demo customers each, plus the documented examples):`, ''];
for (const provider of PROVIDERS) {
  const sandbox = running.sandboxes[provider];
  lines.push(`  ${provider.padEnd(8)} ${sandbox.url.padEnd(28)} control: ${sandbox.origin}/__control`);
}
lines.push('', 'Sandbox credentials:', JSON.stringify(SANDBOX_CREDENTIALS, null, 2), '', 'Ctrl-C to stop.');
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await running.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
