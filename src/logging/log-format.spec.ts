import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { logDestination } from './log-format.js';
import { pinoHttpOptions } from './logging.module.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

function logOnce(format: 'pretty' | 'json', colorize = false): string {
  const out = capture();
  const destination = logDestination(format, out.stream, colorize);
  const { logger } = pinoHttp(pinoHttpOptions({ logLevel: 'info' }), destination);
  logger.info(
    {
      requestId: 'req-12345678',
      headers: { authorization: 'Bearer hgw_secretsecret123' },
      credentials: { apiKey: 'hgw_otherSecret99999', password: 'hunter2' },
    },
    'caller 13812345678 used hgw_abcDEF1234567890 from li.wei@example.com',
  );
  return out.text();
}

describe(logDestination.name, () => {
  it('writes one JSON object a line when the format is json', () => {
    const line = logOnce('json');
    const parsed = JSON.parse(line.trim()) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 30, requestId: 'req-12345678', msg: expect.any(String) });
  });

  it('writes a readable line with the level, request id and message when the format is pretty', () => {
    const line = logOnce('pretty');
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toMatch(/INFO/);
    expect(line).toContain('[req-12345678] caller [phone] used hgw_[redacted] from [email]');
    expect(line.trim().split('\n')).toHaveLength(1);
  });

  it('puts the request id, method, path, status and time of a request line first', () => {
    const out = capture();
    const { logger } = pinoHttp(pinoHttpOptions({ logLevel: 'info' }), logDestination('pretty', out.stream, false));
    logger.info(
      {
        req: { id: 'abc-12345678', method: 'POST', path: '/graphql' },
        res: { statusCode: 200, headersSent: true },
        responseTime: 12,
      },
      'request completed',
    );
    expect(out.text()).toMatch(/INFO: \[abc-12345678\] POST \/graphql 200 12ms request completed\n$/);
  });

  it('colours pretty lines for a terminal', () => {
    // eslint-disable-next-line no-control-regex
    expect(logOnce('pretty', true)).toMatch(/\u001b\[\d+m/);
  });

  it.each(['json', 'pretty'] as const)('redacts secrets and personal data the same way in %s', (format) => {
    const text = logOnce(format);
    for (const secret of ['hgw_secretsecret123', 'hgw_otherSecret99999', 'hunter2', '13812345678', 'li.wei@']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
