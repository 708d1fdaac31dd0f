import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, gql } from './api/client';
import {
  clearCredential,
  clearSession,
  credentialKind,
  readCredential,
  storeCredential,
  type CredentialKind,
} from './api/credential';
import type { Me } from './api/types';
import type { OidcSettings } from './oidc';

/**
 * The public cannot ask `me` (it holds no read:Me): it reads the catalog and queries open data.
 * Everyone signed in gets their permissions from `me.permissions`, and navigation follows them.
 */
export const PUBLIC_PERMISSIONS = ['read:Catalog', 'query:Aggregate'];

const ME = `{ me { authMethod apiKeyId scopes permissions principal { id name role createdAt disabledAt oidcSubject organization { id kind nameZh nameEn departmentCode } } } }`;

export interface PortalConfig {
  oidc: OidcSettings | null;
  /** False until /portal/config.json has answered. */
  loaded: boolean;
}

interface Session {
  /** Still checking a stored credential. */
  loading: boolean;
  me: Me | null;
  kind: CredentialKind | null;
  permissions: string[];
  config: PortalConfig;
  can: (permission: string) => boolean;
  /** Checks the credential with `me`; stores it only when the gateway accepts it. */
  signIn: (credential: string, kind: CredentialKind) => Promise<void>;
  signOut: () => void;
  /** Why a stored credential stopped working (e.g. a revoked key), to show once. */
  notice: string | null;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(() => readCredential() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const [config, setConfig] = useState<PortalConfig>({ oidc: null, loaded: false });

  useEffect(() => {
    fetch('/portal/config.json', { credentials: 'omit' })
      .then((r) => (r.ok ? (r.json() as Promise<{ oidc: OidcSettings | null }>) : { oidc: null }))
      .then((c) => setConfig({ oidc: c.oidc ?? null, loaded: true }))
      .catch(() => setConfig({ oidc: null, loaded: true }));
  }, []);

  useEffect(() => {
    if (readCredential() === null) return;
    gql<{ me: Me }>(ME)
      .then((d) => setMe(d.me))
      .catch((err: unknown) => {
        clearCredential();
        setNotice(err instanceof ApiError ? err.message : String(err));
      })
      .finally(() => setLoading(false));
  }, []);

  const signIn = useCallback(async (credential: string, kind: CredentialKind) => {
    const trimmed = credential.trim();
    storeCredential(trimmed, kind);
    try {
      const d = await gql<{ me: Me }>(ME);
      setMe(d.me);
      setNotice(null);
    } catch (err) {
      clearCredential();
      setMe(null);
      throw err;
    }
  }, []);

  const signOut = useCallback(() => {
    clearSession();
    setMe(null);
  }, []);

  const value = useMemo<Session>(() => {
    const permissions = me ? me.permissions : PUBLIC_PERMISSIONS;
    return {
      loading,
      me,
      kind: me ? credentialKind() : null,
      permissions,
      config,
      can: (p) => permissions.includes(p),
      signIn,
      signOut,
      notice,
    };
  }, [loading, me, config, signIn, signOut, notice]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
