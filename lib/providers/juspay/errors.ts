/**
 * Juspay errors: `error_code` (`object_not_found`, `access_denied`, `unique`, ...) plus `error_info`
 * (`code` such as BAD_ORIGIN, `developer_message`, invalid `fields`). Status classes are shared: 401
 * access_denied and 403 BAD_ORIGIN are auth failures, 404 object_not_found is not found. A 400 `unique`
 * stays a ProviderRejectedError with code `unique`: the adapter resolves it to the existing customer.
 * A 404 without Juspay's body (the docs' "wrong API endpoint") is not read as a missing customer.
 */
import { type ErrorMapper, errorFromStatus } from '../../http/error-mapping.ts';
import { JuspayErrorBodySchema } from './wire.ts';

export const JUSPAY_DUPLICATE_REFERENCE_CODE = 'unique';

export const mapJuspayError: ErrorMapper = (context) => {
  const parsed = JuspayErrorBodySchema.safeParse(context.body);
  if (!parsed.success) return errorFromStatus(context, { recognized: false });
  const body = parsed.data;
  const info = body.error_info;
  const fields = info?.fields?.map((field) => field.field_name) ?? [];
  const message = info?.developer_message ?? body.error_message ?? info?.user_message ?? body.user_message;
  return errorFromStatus(context, {
    message:
      message === undefined
        ? undefined
        : fields.length > 0
          ? `${message} (fields: ${fields.join(', ')})`
          : message,
    code: body.error_code ?? info?.code,
    recognized: true,
  });
};
