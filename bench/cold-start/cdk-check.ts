/**
 * Proof that bench/cold-start/bundle.ts bundles exactly as the stack does: synthesizes the prod stack
 * (NodejsFunction runs its own esbuild) and compares each function's asset byte for byte with the
 * bench's bundle of the same entry. Full runs only: a synth takes tens of seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { buildApp } from '../../infra/build-app.ts';

const TemplateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Properties: z
        .object({
          Code: z.object({ S3Key: z.string() }).partial().optional(),
          Environment: z
            .object({ Variables: z.record(z.string(), z.unknown()) })
            .partial()
            .optional(),
        })
        .optional(),
    }),
  ),
});

/** Function name (`POWERTOOLS_SERVICE_NAME`) → the synthesized bundle's path. */
export function synthesizedBundles(outdir: string): Map<string, string> {
  const { app } = buildApp({ stage: 'prod', appProps: { outdir } });
  const assembly = app.synth();
  const bundles = new Map<string, string>();
  for (const stack of assembly.stacks) {
    const template = TemplateSchema.parse(stack.template);
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const name = resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      const key = resource.Properties?.Code?.S3Key;
      if (typeof name !== 'string' || !key) continue;
      bundles.set(name, join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'));
    }
  }
  return bundles;
}

export function sameBytes(a: string, b: string): boolean {
  return readFileSync(a).equals(readFileSync(b));
}
