import { fetchDataset, fetchDatasets, useLoad } from '../api/catalog';
import type { Dataset } from '../api/types';
import { useI18n } from '../i18n';
import { Link, useRouter } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Facts, Loading } from '../ui/common';

export function CatalogPage() {
  const { path } = useRouter();
  const slug = decodeURIComponent(path.split('/')[2] ?? '');
  return slug ? <DatasetDetail slug={slug} /> : <DatasetList />;
}

function DatasetList() {
  const { t, tOr, pick } = useI18n();
  const [datasets, error, loading] = useLoad(fetchDatasets, []);
  return (
    <section className="panel">
      <h1>{t('catalog.title')}</h1>
      <p>{t('catalog.lead')}</p>
      {loading && <Loading />}
      <ErrorNotice error={error} />
      <ul className="datasets">
        {datasets?.map((d) => (
          <li key={d.slug} className="dataset-card">
            <h2>
              <Link to={`/catalog/${encodeURIComponent(d.slug)}`}>{pick(d.titleZh, d.titleEn)}</Link>
            </h2>
            <p className="muted">
              {pick(d.titleEn, d.titleZh)} · <code>{d.slug}</code>
            </p>
            <p>{pick(d.descriptionZh, d.descriptionEn)}</p>
            <p>
              <span className={`badge ${d.classification}`}>{tOr(`class.${d.classification}`, d.classification)}</span>{' '}
              {t('catalog.version', { date: d.versionDate })} · {d.yourAccess}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The gateway's citation format (src/aggregate/aggregate.service.ts): the data period apart from the version. */
export function citationFor(
  d: Pick<Dataset, 'titleEn' | 'titleZh' | 'publisher' | 'versionDate' | 'slug' | 'periodFrom' | 'periodTo'>,
): string {
  const today = new Date().toISOString().slice(0, 10);
  const covers = d.periodFrom && d.periodTo ? `data ${d.periodFrom} to ${d.periodTo}, ` : '';
  return `${d.titleEn} / ${d.titleZh}. ${d.publisher}, ${covers}version ${d.versionDate}. Dataset "${d.slug}". hotline-gateway, retrieved ${today}.`;
}

function DatasetDetail({ slug }: { slug: string }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [dataset, error, loading] = useLoad(() => fetchDataset(slug), [slug]);
  if (loading) return <Loading />;
  if (error) return <ErrorNotice error={error} />;
  if (!dataset) {
    return (
      <section className="panel">
        <h1>{t('catalog.missing', { slug })}</h1>
        <Link to="/catalog">{t('catalog.back')}</Link>
      </section>
    );
  }
  return (
    <article className="panel">
      <p>
        <Link to="/catalog">{t('catalog.back')}</Link>
      </p>
      <h1>{pick(dataset.titleZh, dataset.titleEn)}</h1>
      <p className="muted">{pick(dataset.titleEn, dataset.titleZh)}</p>
      <p>{pick(dataset.descriptionZh, dataset.descriptionEn)}</p>
      <Facts
        items={[
          [t('catalog.slug'), <code key="s">{dataset.slug}</code>],
          [t('catalog.publisher'), dataset.publisher],
          [t('catalog.versionDate'), dataset.versionDate],
          [t('catalog.classification'), dataset.classification],
          [t('catalog.source'), dataset.source],
          [t('catalog.disclosure'), t('catalog.disclosureValue', dataset.disclosure)],
          [t('catalog.access'), dataset.yourAccess],
        ]}
      />
      {session.can('query:Aggregate') && (
        <p>
          <Link className="button primary" to={`/build?ds=${encodeURIComponent(dataset.slug)}`}>
            {t('catalog.buildTable')}
          </Link>
        </p>
      )}
      <h2>{t('catalog.dimensions')}</h2>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('catalog.dimensions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('catalog.dimension')}</th>
              <th scope="col">{t('catalog.level')}</th>
              <th scope="col">{t('catalog.members')}</th>
            </tr>
          </thead>
          <tbody>
            {dataset.dimensions.flatMap((d) =>
              d.levels.map((l, i) => (
                <tr key={`${d.code}.${l.code}`}>
                  {i === 0 && (
                    <th scope="rowgroup" rowSpan={d.levels.length}>
                      {pick(d.titleZh, d.titleEn)} <code>{d.code}</code>
                    </th>
                  )}
                  <td>
                    {pick(l.titleZh, l.titleEn)} <code>{l.code}</code>
                  </td>
                  <td>{l.format ? t('catalog.timeFormat', { format: l.format }) : l.members.length}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <h2>{t('catalog.measures')}</h2>
      <dl className="measures">
        {dataset.measures.map((m) => (
          <div key={m.code}>
            <dt>
              {pick(m.titleZh, m.titleEn)} <code>{m.code}</code> <span className="muted">({m.unit})</span>
            </dt>
            <dd>{m.definition}</dd>
          </div>
        ))}
      </dl>
      <h2>{t('catalog.terms')}</h2>
      <p>{dataset.licenseRequired ? t('catalog.licenceRequired') : t('catalog.open')}</p>
      <p>{dataset.termsOfUse}</p>
      {dataset.statutoryLimits.length > 0 && (
        <p>
          {t('catalog.statutory')} {dataset.statutoryLimits.map((s) => `${s.kind}: ${s.days}`).join(' · ')}
        </p>
      )}
      <h2>{t('catalog.cite')}</h2>
      <p className="citation">{citationFor(dataset)}</p>
    </article>
  );
}
