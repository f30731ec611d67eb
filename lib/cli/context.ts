/**
 * What a command gets from the outside world. The entry (`bin/customer-sync.ts`) passes the real
 * process streams and environment; unit tests pass buffers, so commands need no module mocking.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  /** Set by Node on a terminal; drives the progress bar versus plain progress lines. */
  isTTY?: boolean;
}

export interface CliContext {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  /**
   * The terminal for progress bars: set by the entry only when both stdout and stderr are TTYs, so
   * piped or captured runs get plain progress lines.
   */
  terminal?: NodeJS.WritableStream;
  /** Where relative file arguments and `.local/` resolve. */
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long commands stop taking new work and flush what they did. */
  signal: AbortSignal;
  now?: () => Date;
}

export const println = (stream: OutputStream, line = ''): void => {
  stream.write(`${line}\n`);
};

export const printJson = (stream: OutputStream, value: unknown): void => {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
};
