/**
 * Delos JWT lifecycle. Tokens are cached and renewed shortly before `accessTtl` runs out: refresh first
 * (`GET /v2/auth/refresh/{refreshToken}`), login when there is no refresh token or the refresh fails
 * (revoked, expired, used). A 401 on a data call marks the token stale and the call is retried once
 * (provider-http's `onUnauthorized`). Concurrent callers share one renewal in flight, so a burst of
 * requests after expiry costs one login, not one per request.
 */
import type { DelosConfig } from '../../config/providers.ts';
import type { HttpAuth, HttpLogger, ProviderHttp } from '../../http/provider-http.ts';
import { type DelosLoginRequest, type DelosTokenResponse, DelosTokenResponseSchema } from './wire.ts';

interface TokenState {
  accessToken: string;
  refreshToken: string | null;
  /** Renew at or after this time (ms). */
  renewAt: number;
  refreshExpiresAt: number;
}

export interface DelosTokenManager extends HttpAuth {
  /** A valid access token, renewing it when due. */
  accessToken(): Promise<string>;
  /** Current token values, for scrubbing from provider text. */
  secrets(): string[];
  /** Renewals so far, by kind (tests, metrics). */
  stats(): { logins: number; refreshes: number; failedRefreshes: number };
}

/** Renew this long before expiry: a fifth of the lifetime, at most 30 s (short sandbox TTLs stay usable). */
const renewalMargin = (ttlMs: number) => Math.min(30_000, ttlMs * 0.2);

export function createDelosTokenManager(
  http: ProviderHttp,
  credentials: Pick<DelosConfig, 'login' | 'password'>,
  options: { now?: () => number; logger?: HttpLogger } = {},
): DelosTokenManager {
  const now = options.now ?? Date.now;
  let state: TokenState | null = null;
  let renewal: Promise<TokenState> | null = null;
  const counts = { logins: 0, refreshes: 0, failedRefreshes: 0 };

  const toState = (tokens: DelosTokenResponse): TokenState => {
    const issuedAt = now();
    const ttlMs = tokens.accessTtl * 1000;
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? null,
      renewAt: issuedAt + ttlMs - renewalMargin(ttlMs),
      refreshExpiresAt:
        tokens.refreshTtl === undefined ? Number.POSITIVE_INFINITY : issuedAt + tokens.refreshTtl * 1000,
    };
  };

  const login = async (): Promise<TokenState> => {
    counts.logins++;
    const body: DelosLoginRequest = {
      login: credentials.login.reveal(),
      password: credentials.password.reveal(),
    };
    // https://docs.delos.financial/authentication/login
    const response = await http.request({
      operation: 'login',
      method: 'POST',
      path: 'v2/auth/login',
      json: body,
      schema: DelosTokenResponseSchema,
      authenticate: false,
      // Logging in twice only issues two tokens: safe to repeat.
      retryable: true,
    });
    return toState(response.data);
  };

  const refresh = async (refreshToken: string): Promise<TokenState> => {
    counts.refreshes++;
    // https://docs.delos.financial/authentication/refresh-access-token
    const response = await http.request({
      operation: 'refresh',
      path: `v2/auth/refresh/${encodeURIComponent(refreshToken)}`,
      schema: DelosTokenResponseSchema,
      authenticate: false,
      // A refresh token may work only once: a retry after a lost answer would fail; login is the fallback.
      retryable: false,
    });
    return toState(response.data);
  };

  const renew = async (previous: TokenState | null): Promise<TokenState> => {
    if (previous?.refreshToken && previous.refreshExpiresAt > now()) {
      try {
        return await refresh(previous.refreshToken);
      } catch (error) {
        counts.failedRefreshes++;
        options.logger?.debug('delos: token refresh failed, logging in', {
          provider: 'delos',
          failure: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    return login();
  };

  const accessToken = async (): Promise<string> => {
    if (state && now() < state.renewAt) return state.accessToken;
    if (!renewal) {
      const previous = state;
      renewal = renew(previous)
        .then((next) => {
          state = next;
          return next;
        })
        .finally(() => {
          renewal = null;
        });
    }
    return (await renewal).accessToken;
  };

  return {
    accessToken,
    async authorize(request) {
      request.headers.set('authorization', `Bearer ${await accessToken()}`);
    },
    onUnauthorized(request) {
      const sent = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '');
      // Only the token that failed is dropped: a renewal by a concurrent caller may already be newer.
      if (state && state.accessToken === sent) state = { ...state, renewAt: 0 };
      return true;
    },
    secrets() {
      return [state?.accessToken, state?.refreshToken].filter((value): value is string => Boolean(value));
    },
    stats: () => ({ ...counts }),
  };
}
