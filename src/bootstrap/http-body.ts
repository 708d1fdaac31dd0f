import contentType from 'content-type';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseForm } from 'node:querystring';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { BODY_LIMIT_BYTES } from '../common/http-limits.js';

/** A refusal of a body, with the status and the kind (`type`) the exception filter words. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode: status, type });
}

/** Charsets a JSON body may come in (JSON text is Unicode; RFC 8259 names UTF-8, older clients send UTF-16). */
const JSON_CHARSETS: Record<string, 'utf-8' | 'utf-16le' | 'utf-16be'> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

function charsetOf(req: FastifyRequest): string | undefined {
  try {
    return contentType.parse(req.headers['content-type'] ?? '').parameters.charset?.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The request bodies the gateway reads, as body-parser read them on Express: JSON and
 * (simple) URL-encoded forms up to BODY_LIMIT after decompression, gzip or deflate
 * Content-Encoding, UTF-8 or UTF-16 JSON. JSON is parsed by Fastify's own parser
 * (secure-json-parse: a `__proto__` or `constructor.prototype` key is refused). Bodies of any
 * other type reach Apollo unread, which answers them (CSRF prevention, or "POST body missing").
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding === 'identity' || encoding === '') return done(null, payload);
    const inflate =
      encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : null;
    if (!inflate) {
      return done(
        bodyError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`),
        undefined as unknown as Readable,
      );
    }
    // Fastify compares the bytes received with Content-Length, and the inflated bytes with the limit.
    const inflated = inflate as typeof inflate & { receivedEncodedLength: number };
    inflated.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (err) => inflated.destroy(err));
    inflate.on('error', () => undefined);
    // A body that does not inflate (not gzip at all, truncated): a client error, not ours.
    const failed = (err: Error) => bodyError(400, 'encoding.corrupt', err.message);
    const destroy = inflate.destroy.bind(inflate);
    inflate.destroy = (err?: Error) => destroy(err && !('statusCode' in err) ? failed(err) : err);
    done(null, payload.pipe(inflate));
  });

  fastify.removeContentTypeParser(['application/json']);
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (req, body: Buffer, done) => {
      const charset = charsetOf(req) ?? 'utf-8';
      const decoding = JSON_CHARSETS[charset];
      if (!decoding) return done(bodyError(415, 'charset.unsupported', `unsupported charset "${charset}"`), undefined);
      if (decoding === 'utf-8') return parseJson(req, body.toString('utf8'), done);
      let text: string;
      try {
        text = new TextDecoder(decoding, { fatal: true }).decode(body);
      } catch {
        return done(bodyError(400, 'entity.parse.failed', 'the body is not valid in its charset'), undefined);
      }
      void parseJson(req, text, done);
    },
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (_req, body: string, done) => {
      // body-parser's `extended: false`: Node's querystring, without a prototype to pollute.
      done(null, { ...parseForm(body) });
    },
  );
  // Any other type: read (within the limit) and left for Apollo, as Express left it unparsed.
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, _body, done) => {
    done(null, undefined);
  });
}
