/**
 * The "bare GET" side of the sync benchmark: the same request the adapter sends (URL, method, auth and
 * every other header), captured from one real adapter call, replayed with `fetch` (undici, the client
 * ky uses too) for other customer ids, reading the body without parsing it.
 */
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import type { AdapterDeps } from '../../lib/providers/registry.ts';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** Adapter deps whose fetch records the last request per provider (then sends it unchanged). */
export function capturingDeps(): {
  deps: (provider: ProviderName) => AdapterDeps;
  captured: Map<ProviderName, CapturedRequest>;
} {
  const captured = new Map<ProviderName, CapturedRequest>();
  const deps = (provider: ProviderName): AdapterDeps => ({
    fetch: async (input, init) => {
      // Read, never construct: a new Request would take over the body of a POST (Delos login).
      const base = input instanceof Request ? input : null;
      const headers = new Headers(base?.headers);
      new Headers(init?.headers).forEach((value, name) => {
        headers.set(name, value);
      });
      const method = init?.method ?? base?.method ?? 'GET';
      const url = base ? base.url : input instanceof URL ? input.href : String(input);
      if (method === 'GET')
        captured.set(provider, { method, url, headers: Object.fromEntries(headers.entries()) });
      return globalThis.fetch(input, init);
    },
  });
  return { deps, captured };
}

/** The captured request, for another customer id (the id appears once, as a path segment). */
export function requestFor(template: CapturedRequest, templateId: string, id: string): CapturedRequest {
  const url = new URL(template.url);
  const segments = url.pathname.split('/');
  const index = segments.lastIndexOf(encodeURIComponent(templateId));
  if (index < 0) throw new Error('captured request does not hold the customer id in its path');
  segments[index] = encodeURIComponent(id);
  url.pathname = segments.join('/');
  return { ...template, url: url.toString() };
}

/** One bare GET; resolves to the status after the whole body is read (nothing parsed). */
export async function bareGet(request: CapturedRequest): Promise<number> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers });
  await response.arrayBuffer();
  return response.status;
}
