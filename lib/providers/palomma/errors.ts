/** Palomma errors are `{ "message": string }` for every status (seed 000). */
import { type ErrorMapper, errorFromStatus } from '../../http/error-mapping.ts';
import { PalommaErrorBodySchema } from './wire.ts';

export const mapPalommaError: ErrorMapper = (context) => {
  const body = PalommaErrorBodySchema.safeParse(context.body);
  return errorFromStatus(
    context,
    body.success ? { message: body.data.message, recognized: true } : { recognized: false },
  );
};
