import { pinoHttpOptions } from './logging.module.js';

describe(pinoHttpOptions.name, () => {
  const { serializers, wrapSerializers } = pinoHttpOptions({ logLevel: 'info' });

  it('serializes the request itself: its id, method and path, never headers or the query string', () => {
    expect(wrapSerializers).toBe(false);
    const req = {
      id: 'req-12345678',
      method: 'POST',
      // Express: originalUrl is the URL as received; url may have been cut by a mount path.
      originalUrl: '/graphql?token=hgw_secretsecret123',
      url: '/',
      headers: { authorization: 'Bearer hgw_secretsecret123', cookie: 'sid=1' },
      socket: { remoteAddress: '10.0.0.1' },
    };
    expect(serializers!.req(req)).toEqual({ id: 'req-12345678', method: 'POST', path: '/graphql' });
  });

  it('reads the raw URL of a request that is not Express’s', () => {
    expect(serializers!.req({ id: 'abcdefgh', method: 'GET', url: '/healthz?x=1', headers: {} })).toEqual({
      id: 'abcdefgh',
      method: 'GET',
      path: '/healthz',
    });
  });

  it('keeps only the status of a response and a scrubbed message of an error', () => {
    expect(serializers!.res({ statusCode: 429, getHeaders: () => ({ 'set-cookie': 'x' }) })).toEqual({
      statusCode: 429,
    });
    const err = serializers!.err(new TypeError('caller 13812345678 failed')) as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'TypeError', message: 'caller [phone] failed' });
  });
});
