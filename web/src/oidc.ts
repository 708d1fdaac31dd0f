/**
 * OpenID Connect sign-in for a public browser client: authorization code with PKCE (S256), no
 * client secret. The verifier and state wait in sessionStorage during the redirect; the token the
 * gateway accepts (a JWT for OIDC_AUDIENCE) is then kept in sessionStorage like an API key.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
}

const PENDING = 'hgw.oidcPending';
export const CALLBACK_PATH = '/oidc/callback';

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const url = issuer.replace(/\/$/, '') + '/.well-known/openid-configuration';
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'omit' });
  } catch {
    throw new Error(`The identity provider at ${issuer} could not be reached.`);
  }
  if (!response.ok) throw new Error(`The identity provider's discovery document answered HTTP ${response.status}.`);
  const doc = (await response.json()) as Partial<Discovery>;
  if (!doc.authorization_endpoint || !doc.token_endpoint) {
    throw new Error("The identity provider's discovery document names no authorization or token endpoint.");
  }
  return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
}

/** Sends the browser to the identity provider; it comes back to /oidc/callback. */
export async function startOidcSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const endpoints = await discover(settings.issuer);
  const verifier = randomString(48);
  const state = randomString(16);
  const redirectUri = window.location.origin + CALLBACK_PATH;
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ verifier, state, tokenEndpoint: endpoints.token_endpoint, redirectUri, returnTo }),
  );
  const url = new URL(endpoints.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await pkceChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

function audiencesOf(jwt: string): string[] {
  const parts = jwt.split('.');
  if (parts.length !== 3) return [];
  try {
    const payload = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))) as { aud?: unknown };
    if (typeof payload.aud === 'string') return [payload.aud];
    return Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/** Finishes the redirect: checks the state, trades the code (with the verifier) for tokens. */
export async function completeOidcSignIn(
  settings: OidcSettings,
  search: string,
): Promise<{ token: string; returnTo: string }> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (params.get('error')) {
    throw new Error(`The identity provider refused: ${params.get('error_description') ?? params.get('error')}`);
  }
  if (!raw) throw new Error('No sign-in was started in this tab; start again.');
  const pending = JSON.parse(raw) as {
    verifier: string;
    state: string;
    tokenEndpoint: string;
    redirectUri: string;
    returnTo: string;
  };
  const code = params.get('code');
  if (!code || params.get('state') !== pending.state) {
    throw new Error('The sign-in answer does not match the request made from this tab; start again.');
  }
  let response: Response;
  try {
    response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        client_id: settings.clientId,
        code_verifier: pending.verifier,
      }),
      credentials: 'omit',
    });
  } catch {
    throw new Error("The identity provider's token endpoint could not be reached.");
  }
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    id_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok) {
    throw new Error(
      `The identity provider refused the code: ${body.error_description ?? body.error ?? response.status}`,
    );
  }
  const token = [body.access_token, body.id_token].find(
    (t): t is string => typeof t === 'string' && audiencesOf(t).includes(settings.audience),
  );
  if (!token) {
    throw new Error(
      `The identity provider issued no token for the audience "${settings.audience}" (OIDC_AUDIENCE); ask an administrator to align it with the client.`,
    );
  }
  return { token, returnTo: pending.returnTo || '/' };
}
