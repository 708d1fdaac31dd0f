import { useCallback, useEffect, useState } from 'react';
import { gql } from '../api/client';
import type { AuditEvent, License } from '../api/types';
import { useI18n } from '../i18n';
import { useRouter } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Loading, Section } from '../ui/common';
import { ApplyForm } from './apply-form';
import { LicenceCard } from './licence-card';
import { StewardQueue } from './steward-queue';

export const LICENCE_FIELDS = `id status statusReason statusChangedAt kind licenseeId requestedById decidedById purpose validFrom validTo dailyQuota requestedAt obligations { code acceptedAt } datasets { dataset dimensions { dimension level } cities departments periodFrom periodTo } usage { usedToday dailyQuota remainingToday resetsAt total }`;

export function LicencesPage() {
  const { t } = useI18n();
  const session = useSession();
  if (!session.me) {
    return (
      <section className="panel">
        <h1>{t('nav.licences')}</h1>
        <p>{t('licences.signInFirst')}</p>
      </section>
    );
  }
  if (session.can('decide:License')) return <StewardQueue />;
  return <MyLicences />;
}

function MyLicences() {
  const { t } = useI18n();
  const session = useSession();
  const { search } = useRouter();
  const [licences, setLicences] = useState<License[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [applying, setApplying] = useState(() => new URLSearchParams(search).has('apply'));
  const me = session.me?.principal.id;
  const register = !session.can('request:License');

  const load = useCallback(() => {
    gql<{ licenses: License[] }>(`{ licenses { ${LICENCE_FIELDS} } }`).then(
      (d) => setLicences(d.licenses),
      (err: unknown) => setError(err),
    );
  }, []);
  useEffect(load, [load]);

  const mine = licences?.filter((l) => register || l.licenseeId === me) ?? [];
  return (
    <div>
      <section className="panel">
        <h1>{register ? t('licences.register') : t('licences.mine')}</h1>
        {session.can('request:License') && !applying && (
          <button type="button" className="primary" onClick={() => setApplying(true)}>
            {t('licences.apply')}
          </button>
        )}
        <ErrorNotice error={error} />
        {licences === null && !error && <Loading />}
        {licences !== null && mine.length === 0 && <p>{t('licences.none')}</p>}
        <div className="licences">
          {mine.map((l) => (
            <LicenceCard key={l.id} licence={l}>
              {session.can('read:AuditEvent') && !register && <OwnTrail licenseId={l.id} />}
            </LicenceCard>
          ))}
        </div>
      </section>
      {applying && (
        <Section title={t('licences.apply')} id="apply-title">
          <ApplyForm
            onDone={() => {
              setApplying(false);
              load();
            }}
            onCancel={() => setApplying(false)}
          />
        </Section>
      )}
    </div>
  );
}

/** The licensee's own audit trail for one licence (researchers and departments read their own events). */
function OwnTrail({ licenseId }: { licenseId: string }) {
  const { t } = useI18n();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || events) return;
    gql<{ auditEvents: { edges: { node: AuditEvent }[] } }>(
      `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 20) { edges { node { id seq occurredAt operation datasetSlug decision reason resultSize cellsSuppressed } } } }`,
      { f: { licenseId } },
    ).then(
      (d) => setEvents(d.auditEvents.edges.map((e) => e.node)),
      (err: unknown) => setError(err),
    );
  }, [open, events, licenseId]);
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('licences.trail')}</summary>
      <ErrorNotice error={error} />
      {open && events === null && !error && <Loading />}
      {events && events.length === 0 && <p>{t('licences.trailEmpty')}</p>}
      {events && events.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.operation')}</th>
                <th scope="col">{t('audit.dataset')}</th>
                <th scope="col">{t('audit.decision')}</th>
                <th scope="col">{t('audit.rows')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td>{e.seq}</td>
                  <td>{e.occurredAt.replace('T', ' ').slice(0, 19)}</td>
                  <td>{e.operation}</td>
                  <td>{e.datasetSlug ?? ''}</td>
                  <td>
                    {e.decision}
                    {e.reason ? `: ${e.reason}` : ''}
                  </td>
                  <td>{e.resultSize ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
