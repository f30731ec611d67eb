/**
 * The V8 heap limits the Lambda Node.js runtime starts a function's process with, from its memory size.
 * Its bootstrap gives a tenth of the memory to the young generation (half of that per semi-space) and
 * the rest to the old generation. A benchmark of a function's memory runs it under the same limits:
 * without them V8 sizes its heap for this machine's memory and grows it long before collecting.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpaceMb = Math.floor(memoryMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`,
    `--max-old-space-size=${memoryMb - newSpaceMb}`,
  ];
}
