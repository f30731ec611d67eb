/** Delos errors are `{ "error": "..." }` (seed 002, auth pages); `message` is read for undocumented ones. */
import { type ErrorMapper, errorFromStatus } from '../../http/error-mapping.ts';
import { DelosErrorBodySchema } from './wire.ts';

export const mapDelosError: ErrorMapper = (context) => {
  const body = DelosErrorBodySchema.safeParse(context.body);
  return errorFromStatus(
    context,
    body.success ? { message: body.data, recognized: true } : { recognized: false },
  );
};
