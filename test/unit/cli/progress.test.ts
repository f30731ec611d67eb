import { createProgress } from '../../../lib/cli/progress.ts';

const sink = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => lines.push(chunk.trimEnd()) } };
};

describe('createProgress (plain lines)', () => {
  it('prints at most one line per interval, and always the last one', () => {
    const { lines, stream } = sink();
    let now = 0;
    const progress = createProgress({
      label: 'import',
      total: 4,
      terminal: null,
      stream,
      intervalMs: 1000,
      now: () => now,
    });
    progress.tick(); // t=0: first line
    now = 10;
    progress.tick(); // throttled
    now = 1500;
    progress.tick(); // printed
    progress.tick(); // complete: printed
    progress.stop(); // nothing new to say
    expect(lines).toEqual(['import: 1/4 (25%)', 'import: 3/4 (75%)', 'import: 4/4 (100%)']);
  });

  it('follows a growing total', () => {
    const { lines, stream } = sink();
    const progress = createProgress({ label: 'sync', total: 0, terminal: null, stream, intervalMs: 0 });
    progress.grow(2);
    progress.tick();
    progress.grow(2);
    progress.tick(3);
    expect(lines).toEqual(['sync: 1/2 (50%)', 'sync: 4/4 (100%)']);
  });
});
