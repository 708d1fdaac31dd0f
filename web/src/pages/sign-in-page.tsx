import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { completeOidcSignIn, startOidcSignIn } from '../oidc';
import { useRouter } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/common';

export function SignInPage() {
  const { t } = useI18n();
  const session = useSession();
  const { navigate } = useRouter();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const keyId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(key, 'api-key');
      setKey('');
      navigate('/');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (session.me) {
    return (
      <section className="panel">
        <h1>{t('signIn.title')}</h1>
        <p>{t('signIn.already', { name: session.me.principal.name })}</p>
        <button type="button" onClick={session.signOut}>
          {t('nav.signOut')}
        </button>
      </section>
    );
  }
  const oidc = session.config.oidc;
  return (
    <section className="panel narrow">
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={keyId}>{t('signIn.keyLabel')}</label>
        <input
          id={keyId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="hgw_…"
          required
        />
        <p className="hint">{t('signIn.keyHint')}</p>
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          {t('signIn.submit')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {oidc && (
        <div className="oidc">
          <h2>{t('signIn.oidcTitle')}</h2>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setError(null);
              startOidcSignIn(oidc, '/').catch((err: unknown) => setError(err));
            }}
          >
            {t('signIn.oidcButton', { issuer: new URL(oidc.issuer).host })}
          </button>
        </div>
      )}
    </section>
  );
}

export function OidcCallbackPage() {
  const { t } = useI18n();
  const session = useSession();
  const { search, navigate } = useRouter();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  const oidc = session.config.oidc;

  useEffect(() => {
    if (!oidc || started.current) return;
    started.current = true;
    completeOidcSignIn(oidc, search)
      .then(async ({ token, returnTo }) => {
        await session.signIn(token, 'oidc');
        navigate(returnTo, { replace: true });
      })
      .catch((err: unknown) => setError(err));
  }, [oidc, search, session, navigate]);

  return (
    <section className="panel narrow">
      <h1>{t('signIn.title')}</h1>
      {error ? (
        <ErrorNotice error={error} />
      ) : oidc || !session.config.loaded ? (
        <Loading />
      ) : (
        <p>{t('signIn.oidcOff')}</p>
      )}
    </section>
  );
}
