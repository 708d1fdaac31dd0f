import { lazy, Suspense, useEffect, useRef } from 'react';
import { useI18n } from './i18n';
import type { MessageKey } from './messages';
import { CALLBACK_PATH } from './oidc';
import { CatalogPage } from './pages/catalog-page';
import { HomePage } from './pages/home-page';
import { OidcCallbackPage, SignInPage } from './pages/sign-in-page';
import { Link, useRouter } from './router';
import { useSession } from './session';
import { Loading } from './ui/common';

// Pages only some roles open load on demand, so the first load stays small.
const BuilderPage = lazy(() => import('./builder/builder-page').then((m) => ({ default: m.BuilderPage })));
const LicencesPage = lazy(() => import('./pages/licences-page').then((m) => ({ default: m.LicencesPage })));
const AuditPage = lazy(() => import('./pages/audit-page').then((m) => ({ default: m.AuditPage })));
const DepartmentPage = lazy(() => import('./pages/department-page').then((m) => ({ default: m.DepartmentPage })));
const AdminPage = lazy(() => import('./pages/admin-page').then((m) => ({ default: m.AdminPage })));

interface NavItem {
  path: string;
  label: MessageKey;
  /** Shown when the caller holds any of these permissions (from me.permissions). */
  anyOf: string[];
  /** Extra condition, e.g. the caller's organization is a department. */
  when?: () => boolean;
}

export function App() {
  const { t, tOr, lang, setLang } = useI18n();
  const session = useSession();
  const { path } = useRouter();
  const main = useRef<HTMLElement>(null);

  const isDepartment = () => Boolean(session.me?.principal.organization.departmentCode);
  const nav: NavItem[] = [
    { path: '/catalog', label: 'nav.catalog', anyOf: ['read:Catalog'] },
    { path: '/build', label: 'nav.build', anyOf: ['query:Aggregate'] },
    { path: '/licences', label: 'nav.licences', anyOf: ['read:License', 'request:License', 'decide:License'] },
    { path: '/audit', label: 'nav.audit', anyOf: ['read:AuditEvent', 'verify:Audit'] },
    { path: '/department', label: 'nav.department', anyOf: ['detail:CaseRecord'], when: isDepartment },
    { path: '/manage', label: 'nav.admin', anyOf: ['manage:Principal', 'manage:Dataset', 'manage:ApiKey'] },
  ];
  const visible = nav.filter((n) => n.anyOf.some((p) => session.can(p)) && (n.when ? n.when() : true));

  // Move focus to the page's content after navigation, so keyboard users land where the page starts.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  let page;
  const section = '/' + (path.split('/')[1] ?? '');
  if (session.loading) page = <Loading />;
  else if (path === CALLBACK_PATH) page = <OidcCallbackPage />;
  else if (path === '/') page = <HomePage />;
  else if (section === '/catalog') page = <CatalogPage />;
  else if (section === '/sign-in') page = <SignInPage />;
  else if (section === '/build') page = <BuilderPage />;
  else if (section === '/licences') page = <LicencesPage />;
  else if (section === '/audit') page = <AuditPage />;
  else if (section === '/department') page = <DepartmentPage />;
  else if (section === '/manage') page = <AdminPage />;
  else
    page = (
      <section className="panel">
        <h1>{t('notFound.title')}</h1>
        <p>{t('notFound.body', { path })}</p>
      </section>
    );

  const role = session.me?.principal.role;
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <div className="brand">
          <Link to="/">{t('app.name')}</Link>
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            {visible.map((n) => (
              <li key={n.path}>
                <Link to={n.path} current={section === n.path}>
                  {t(n.label)}
                </Link>
              </li>
            ))}
            <li>
              <a href="/explorer">{t('nav.explorer')}</a>
            </li>
          </ul>
        </nav>
        <div className="who">
          <label className="lang">
            <span className="visually-hidden">{t('nav.language')}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value === 'en' ? 'en' : 'zh')}>
              <option value="zh">中文</option>
              <option value="en">English</option>
            </select>
          </label>
          {session.me ? (
            <>
              <span className="signed-in" data-testid="signed-in">
                {session.me.principal.name}
                {role ? ` · ${tOr(`role.${role}`, role)}` : ''}
              </span>
              <button type="button" onClick={session.signOut}>
                {t('nav.signOut')}
              </button>
            </>
          ) : (
            <Link to="/sign-in" className="button">
              {t('nav.signIn')}
            </Link>
          )}
        </div>
      </header>
      {session.notice && (
        <p className="notice error" role="alert">
          {t('session.ended')} {session.notice}
        </p>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
      <footer className="foot">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
