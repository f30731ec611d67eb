/** The API client as the API commands build it from the environment. */
import { loadCliApiConfig } from '../../config/cli.ts';
import { type ApiClient, createApiClient } from '../api-client.ts';
import type { CliContext } from '../context.ts';

export function apiClientFor(ctx: CliContext): ApiClient {
  return createApiClient(loadCliApiConfig(ctx.env, { cwd: ctx.cwd }));
}
