import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';

export function HomePage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <section className="panel intro">
      <h1>{t('home.title')}</h1>
      <p>{t('home.lead')}</p>
      <ul className="cards">
        <li>
          <Link to="/catalog">{t('nav.catalog')}</Link>
          <p>{t('home.catalog')}</p>
        </li>
        {session.can('query:Aggregate') && (
          <li>
            <Link to="/build">{t('nav.build')}</Link>
            <p>{t('home.build')}</p>
          </li>
        )}
        {!session.me && (
          <li>
            <Link to="/sign-in">{t('nav.signIn')}</Link>
            <p>{t('home.signIn')}</p>
          </li>
        )}
        <li>
          <a href="/explorer">{t('nav.explorer')}</a>
          <p>{t('home.explorer')}</p>
        </li>
      </ul>
      <p className="muted">{t('home.governed')}</p>
    </section>
  );
}
