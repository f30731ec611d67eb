/** Plain-fetch helpers for talking to the sandboxes the way an adapter would, without an adapter. */
import * as z from 'zod';
import { SANDBOX_CREDENTIALS } from '../../../sandbox/index.ts';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when empty or not JSON. */
  json: unknown;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export const palommaAuth = { authorization: `Bearer ${SANDBOX_CREDENTIALS.palomma.apiKey}` };
export const mollieAuth = { authorization: `Bearer ${SANDBOX_CREDENTIALS.mollie.apiKey}` };
export const juspayAuth = {
  authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.juspay.apiKey}:`).toString('base64')}`,
  'x-merchantid': SANDBOX_CREDENTIALS.juspay.merchantId,
};

const DelosTokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTtl: z.number(),
});
export type DelosTokens = z.infer<typeof DelosTokensSchema>;

export async function delosLogin(origin: string, password = SANDBOX_CREDENTIALS.delos.password) {
  const result = await postJson(`${origin}/v2/auth/login`, {
    login: SANDBOX_CREDENTIALS.delos.login,
    password,
  });
  if (result.status !== 200) throw new Error(`delos login failed with ${result.status}`);
  return DelosTokensSchema.parse(result.json);
}

export const IdSchema = z.object({ id: z.string() });
