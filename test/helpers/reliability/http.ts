/**
 * Raw HTTP for the fuzzers: node:http sends the request target and headers exactly as given (fetch
 * would normalize paths and refuse some methods), and the answer is checked against RFC 9457.
 */
import { request } from 'node:http';
import * as z from 'zod';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(
  baseUrl: string,
  init: { method: string; path: string; headers: Record<string, string>; body: string | null },
  timeoutMs = 35_000,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: init.method,
        path: init.path,
        headers: init.headers,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(init.body ?? undefined);
  });
}

/** RFC 9457 members the API always sends (`detail` and `errors` are optional). */
export const ProblemSchema = z.object({
  type: z.string().min(1),
  title: z.string().min(1),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Why a response is not a 4xx problem document, or null when it is one. */
export function problemViolation(response: RawResponse): string | null {
  if (response.status < 400 || response.status > 499) return `status ${response.status}`;
  const type = String(response.headers['content-type'] ?? '');
  if (type.split(';')[0]?.trim() !== 'application/problem+json') return `content-type "${type}"`;
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return 'body is not JSON';
  }
  const parsed = ProblemSchema.safeParse(json);
  if (!parsed.success)
    return `not a problem document: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`;
  if (parsed.data.status !== response.status)
    return `problem status ${parsed.data.status} ≠ HTTP ${response.status}`;
  return null;
}
