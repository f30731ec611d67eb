import * as z from 'zod';
import { type RunningSandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../../sandbox/index.ts';
import {
  JUSPAY_BAD_ORIGIN_BODY,
  JUSPAY_DUPLICATE_BODY,
  JUSPAY_EXAMPLE_CUSTOMERS,
} from '../../../sandbox/juspay.ts';
import { http, IdSchema, juspayAuth, postForm, postJson } from './helpers.ts';

const accessDenied = (developerMessage: string | RegExp) => ({
  status: 'error',
  error_code: 'access_denied',
  error_info: {
    user_message: 'Unauthorized.',
    request_id: expect.any(String),
    href: 'NA',
    developer_message:
      typeof developerMessage === 'string' ? developerMessage : expect.stringMatching(developerMessage),
    code: 'UNAUTHORIZED',
    category: 'USER_ERROR',
  },
});
const invalidInput = (field: string) => ({
  error_message: `Wrong value in ${field}`,
  status: 'Invalid Request',
  error_code: 'Invalid Request',
  error_info: {
    user_message: 'Invalid request params. Please verify your input.',
    fields: [{ field_name: field, reason: 'Invalid value.' }],
    developer_message: 'Invalid request params',
    code: 'INVALID_INPUT',
    category: 'USER_ERROR',
  },
});
const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

describe('juspay sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('juspay', { seed: 10 });
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => sandbox.control.reset());

  const input = { object_reference_id: 'customer@gmail.com', mobile_number: '99887766', first_name: 'John' };

  it('answers 401 access_denied for a missing or wrong API key', async () => {
    const url = `${sandbox.url}/customers/cst_vsypdzjd12zypfeu`;
    const missing = await http(url, { headers: { 'x-merchantid': SANDBOX_CREDENTIALS.juspay.merchantId } });
    const wrong = await http(url, { headers: { ...juspayAuth, authorization: basic('WRONGKEY') } });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(wrong.json).toEqual(accessDenied('Invalid API Key. Please pass a valid and active api key.'));
  });

  it('answers 401 access_denied for a missing or foreign x-merchantid', async () => {
    const url = `${sandbox.url}/customers/cst_vsypdzjd12zypfeu`;
    const missing = await http(url, { headers: { authorization: juspayAuth.authorization } });
    const foreign = await http(url, { headers: { ...juspayAuth, 'x-merchantid': 'someone_else' } });
    expect([missing.status, foreign.status]).toEqual([401, 401]);
    expect(foreign.json).toEqual(accessDenied(/x-merchantid/));
  });

  it('serves the documented sample by Juspay id and by object_reference_id', async () => {
    const byId = await http(`${sandbox.url}/customers/cst_vsypdzjd12zypfeu`, { headers: juspayAuth });
    const byReference = await http(`${sandbox.url}/customers/object_reference_id_795`, {
      headers: juspayAuth,
    });
    expect(byId.status).toBe(200);
    expect(byId.json).toEqual(JUSPAY_EXAMPLE_CUSTOMERS[0]);
    expect(byReference.json).toEqual(byId.json);
  });

  it('answers 404 object_not_found with the documented body', async () => {
    const result = await http(`${sandbox.url}/customers/cst_missing`, { headers: juspayAuth });
    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({
      error_message: 'Cannot find what you are looking for',
      status: 'invalid_request_error',
      error_code: 'object_not_found',
      error_info: { code: 'RESOURCE_NOT_FOUND', category: 'USER_ERROR' },
    });
  });

  it('creates a customer from a form body and adds a client auth token on request', async () => {
    const plain = await postForm(`${sandbox.url}/customers`, input, juspayAuth);
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({
      object: 'customer',
      ...input,
      id: expect.stringMatching(/^cst_[a-z0-9]{16}$/),
    });
    expect(plain.json).not.toHaveProperty('juspay');
    const withToken = await postForm(
      `${sandbox.url}/customers`,
      { ...input, object_reference_id: 'second-customer', 'options.get_client_auth_token': 'true' },
      juspayAuth,
    );
    expect(withToken.json).toMatchObject({
      juspay: {
        client_auth_token: expect.any(String),
        client_auth_token_expiry: expect.stringMatching(/Z$/),
      },
    });
    const { id } = IdSchema.parse(plain.json);
    const fetched = await http(`${sandbox.url}/customers/${id}?options.get_client_auth_token=true`, {
      headers: juspayAuth,
    });
    expect(fetched.json).toHaveProperty('juspay.client_auth_token');
  });

  it('refuses a JSON body as if it had no fields', async () => {
    const result = await postJson(`${sandbox.url}/customers`, input, juspayAuth);
    expect(result.status).toBe(400);
    expect(result.json).toEqual(invalidInput('object_reference_id'));
  });

  it('requires an object_reference_id of at least 8 characters and a mobile number', async () => {
    const short = await postForm(
      `${sandbox.url}/customers`,
      { ...input, object_reference_id: 'abcdefg' },
      juspayAuth,
    );
    const eight = await postForm(
      `${sandbox.url}/customers`,
      { ...input, object_reference_id: 'abcdefgh' },
      juspayAuth,
    );
    const noMobile = await postForm(
      `${sandbox.url}/customers`,
      { object_reference_id: 'abcdefghij' },
      juspayAuth,
    );
    expect([short.status, short.json]).toEqual([400, invalidInput('object_reference_id')]);
    expect(eight.status).toBe(200);
    expect([noMobile.status, noMobile.json]).toEqual([400, invalidInput('mobile_number')]);
  });

  it('refuses a duplicate object_reference_id with the documented unique error', async () => {
    await postForm(`${sandbox.url}/customers`, input, juspayAuth);
    const duplicate = await postForm(`${sandbox.url}/customers`, input, juspayAuth);
    expect(duplicate.status).toBe(400);
    expect(duplicate.json).toEqual(JUSPAY_DUPLICATE_BODY);
    expect((await sandbox.control.stats()).created).toBe(1);
  });

  it('lists with offset and count and reports the total', async () => {
    const Page = z.object({
      list: z.array(IdSchema),
      count: z.number(),
      offset: z.number(),
      total: z.number(),
    });
    const first = Page.parse((await http(`${sandbox.url}/customers?count=5`, { headers: juspayAuth })).json);
    const rest = Page.parse(
      (await http(`${sandbox.url}/customers?offset=5&count=100`, { headers: juspayAuth })).json,
    );
    expect(first).toMatchObject({ count: 5, offset: 0, total: 12 });
    expect(rest).toMatchObject({ count: 7, offset: 5, total: 12 });
    const ids = [...first.list, ...rest.list].map((customer) => customer.id);
    expect(new Set(ids).size).toBe(12);
    expect((await http(`${sandbox.url}/customers?count=0`, { headers: juspayAuth })).status).toBe(400);
  });

  it('answers 403 BAD_ORIGIN with the documented body through an error fault', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'error', status: 403, times: 1 });
    const result = await http(`${sandbox.url}/customers/cst_vsypdzjd12zypfeu`, { headers: juspayAuth });
    expect(result.status).toBe(403);
    expect(result.json).toEqual(JUSPAY_BAD_ORIGIN_BODY);
  });
});
