import { API_ROUTES, matchRoute } from '../../../lib/api/routes.ts';

describe('matchRoute', () => {
  it('matches static and templated paths and decodes parameters', () => {
    const list = matchRoute('GET', '/customers');
    expect(list.kind === 'match' && list.route.operationId).toBe('listCustomers');
    const history = matchRoute('GET', '/customers/01ABC%20X/history');
    expect(history).toMatchObject({ kind: 'match', params: { id: '01ABC X' } });
    expect(history.kind === 'match' && history.route.function).toBe('read-api');
  });

  it('accepts a trailing slash like API Gateway', () => {
    expect(matchRoute('GET', '/customers/abc/').kind).toBe('match');
  });

  it('tells a wrong method (405 with every allowed method) from an unknown path (404)', () => {
    expect(matchRoute('DELETE', '/customers')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'POST'],
    });
    expect(matchRoute('GET', '/customers/a/b/c')).toEqual({ kind: 'not-found' });
    expect(matchRoute('GET', '/nope')).toEqual({ kind: 'not-found' });
  });

  it('routes the create and webhook paths to their own functions, webhooks without an API key', () => {
    const create = matchRoute('POST', '/customers');
    expect(create.kind === 'match' && create.route.function).toBe('create-customer');
    const webhook = matchRoute('POST', '/webhooks/mollie');
    expect(webhook.kind === 'match' && [webhook.route.function, webhook.route.auth]).toEqual([
      'provider-webhook',
      'none',
    ]);
    expect(API_ROUTES.filter((route) => route.auth === 'none').map((route) => route.path)).toEqual([
      '/webhooks/{provider}',
    ]);
  });

  it('keeps a malformed escape as sent instead of throwing', () => {
    expect(matchRoute('GET', '/customers/%E0%A4%A')).toMatchObject({
      kind: 'match',
      params: { id: '%E0%A4%A' },
    });
  });
});
