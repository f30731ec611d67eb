/**
 * Mollie problem objects `{status, title, detail, field?}`. 410 (deleted customer) is not found with code
 * `gone` (shared status rules); the offending `field` of a 4xx becomes the provider code.
 */
import { type ErrorMapper, errorFromStatus } from '../../http/error-mapping.ts';
import { MollieErrorBodySchema } from './wire.ts';

export const mapMollieError: ErrorMapper = (context) => {
  const body = MollieErrorBodySchema.safeParse(context.body);
  if (!body.success) return errorFromStatus(context, { recognized: false });
  return errorFromStatus(context, {
    message: body.data.detail || body.data.title,
    code: body.data.field === undefined ? undefined : `field:${body.data.field}`,
    recognized: true,
  });
};
