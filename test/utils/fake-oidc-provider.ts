import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/**
 * A minimal OpenID provider on 127.0.0.1 for the portal's sign-in test: discovery, an authorize
 * endpoint that signs the given subject in at once, a token endpoint that insists on PKCE (S256)
 * and a key set. Tokens are ES256 JWTs for `audience`.
 */
export interface FakeOidcProvider {
  issuer: string;
  /** Token requests whose code_verifier matched the challenge (0 until the portal signs in). */
  verifiedExchanges: () => number;
  close: () => Promise<void>;
}

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return new URLSearchParams(text);
}

export async function startFakeOidcProvider(options: {
  clientId: string;
  audience: string;
  subject: string;
}): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  let verified = 0;
  let issuer = '';

  const sign = (key: CryptoKey) =>
    new SignJWT({ sub: options.subject })
      .setProtectedHeader({ alg: 'ES256', kid: 'fake-1' })
      .setIssuer(issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const cors = { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' };
      if (url.pathname === '/.well-known/openid-configuration') {
        res.writeHead(200, cors).end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            code_challenge_methods_supported: ['S256'],
          }),
        );
      } else if (url.pathname === '/jwks') {
        res.writeHead(200, cors).end(JSON.stringify({ keys: [jwk] }));
      } else if (url.pathname === '/authorize') {
        const q = url.searchParams;
        const redirectUri = q.get('redirect_uri') ?? '';
        if (
          q.get('client_id') !== options.clientId ||
          q.get('response_type') !== 'code' ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('code_challenge')
        ) {
          res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad authorization request');
          return;
        }
        const code = randomBytes(16).toString('hex');
        codes.set(code, { challenge: q.get('code_challenge') as string, redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        res.writeHead(302, { Location: back.toString() }).end();
      } else if (url.pathname === '/token' && req.method === 'POST') {
        const form = await body(req);
        const pending = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !pending ||
          form.get('grant_type') !== 'authorization_code' ||
          form.get('client_id') !== options.clientId ||
          form.get('redirect_uri') !== pending.redirectUri ||
          challenge !== pending.challenge
        ) {
          res.writeHead(400, cors).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        verified += 1;
        const token = await sign(privateKey);
        res.writeHead(200, cors).end(JSON.stringify({ access_token: token, id_token: token, token_type: 'Bearer' }));
      } else {
        res.writeHead(404, cors).end('{}');
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    verifiedExchanges: () => verified,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        // The browser keeps idle keep-alive connections open; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
