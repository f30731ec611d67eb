#!/usr/bin/env node
import { runCli } from '../lib/cli/main.ts';
/**
 * The `customer-sync` CLI entry: wires the real process (streams, environment, signals) to the
 * dispatcher in lib/cli. Run as `node bin/customer-sync.ts <command>` on Node 24 (`npm start` runs
 * `start`); see docs/cli.md.
 */
import { cliEnv } from '../lib/config/cli.ts';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++;
  // First signal: stop taking new work and finish cleanly. Second: the user means it.
  if (interrupts > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  controller.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: cliEnv(),
  cwd: process.cwd(),
  signal: controller.signal,
  ...(process.stdout.isTTY && process.stderr.isTTY ? { terminal: process.stderr } : {}),
});
process.exitCode = exitCode;
