/** The shape shared by every command: --help handled up front, then the command parses its own flags. */
import type { CliContext } from './context.ts';
import { println } from './context.ts';
import { EXIT_OK } from './errors.ts';
import type { CommandModule } from './main.ts';

export function defineCommand(spec: {
  usage: string;
  run: (args: string[], ctx: CliContext) => Promise<number>;
}): CommandModule {
  return {
    usage: spec.usage,
    async run(args, ctx) {
      // Before parsing, so `--help` works even next to a flag the user got wrong.
      if (args.includes('--help') || args.includes('-h')) {
        println(ctx.stdout, spec.usage);
        return EXIT_OK;
      }
      return spec.run(args, ctx);
    },
  };
}
