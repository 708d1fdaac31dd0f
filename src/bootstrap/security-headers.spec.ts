import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './security-headers.js';

/** A response that keeps its headers in a map, starting with an X-Powered-By for helmet to remove. */
function fakeResponse(): { res: ServerResponse; headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>([['x-powered-by', 'Express']]);
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  return { res: res as unknown as ServerResponse, headers };
}

function headersOf(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
): Map<string, unknown> {
  const { res, headers } = fakeResponse();
  let nextCalls = 0;
  middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res, (err) => {
    expect(err).toBeUndefined();
    nextCalls++;
  });
  expect(nextCalls).toBe(1);
  return headers;
}

describe(securityHeaders.name, () => {
  it.each<[string, HelmetOptions]>([
    ['the gateway options', { crossOriginEmbedderPolicy: false }],
    ['helmet defaults', {}],
    [
      'custom directives',
      { contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'https://tiles.example'] } } },
    ],
  ])('sets exactly what helmet sets, with %s', (_name, options) => {
    const expected = headersOf(helmet(options));
    const replayed = headersOf(securityHeaders(options));
    expect([...replayed]).toEqual([...expected]);
    expect(replayed.has('x-powered-by')).toBe(false);
    expect(replayed.get('content-security-policy')).toContain("default-src 'self'");
    expect(replayed.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('sets the headers on every response, not only the first', () => {
    const middleware = securityHeaders({ crossOriginEmbedderPolicy: false });
    expect([...headersOf(middleware)]).toEqual([...headersOf(middleware)]);
  });

  it('refuses options whose headers depend on the request (a per-request nonce)', () => {
    expect(() =>
      securityHeaders({
        contentSecurityPolicy: {
          directives: { 'script-src': ["'self'", (req) => `'nonce-${req.headers['x-nonce'] as string}'`] },
        },
      }),
    ).toThrow(/read the request/);
  });
});
