/**
 * The signed-in credential (an API key or an OIDC token) lives in sessionStorage only: gone when
 * the tab closes, never in a URL, a cookie or localStorage.
 */
const KEY = 'hgw.credential';
const KIND = 'hgw.credentialKind';

export type CredentialKind = 'api-key' | 'oidc';

export function readCredential(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function credentialKind(): CredentialKind | null {
  const kind = sessionStorage.getItem(KIND);
  return kind === 'api-key' || kind === 'oidc' ? kind : null;
}

export function storeCredential(value: string, kind: CredentialKind): void {
  sessionStorage.setItem(KEY, value);
  sessionStorage.setItem(KIND, kind);
}

export function clearCredential(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(KIND);
}

/** Signing out forgets everything the portal kept for the session (the credential, budgets seen). */
export function clearSession(): void {
  for (const k of Object.keys(sessionStorage)) if (k.startsWith('hgw.')) sessionStorage.removeItem(k);
}
