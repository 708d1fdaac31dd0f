import { useCallback, useEffect, useId, useState } from 'react';
import { useLoad } from '../api/catalog';
import { gql, gqlRequest } from '../api/client';
import type { License } from '../api/types';
import { useI18n } from '../i18n';
import { AuditNote, ConfirmButton, ErrorNotice, Loading } from '../ui/common';
import { LicenceCard } from './licence-card';
import { LICENCE_FIELDS } from './licences-page';
import { grantableLevels, narrowedScopes, type LevelList, type ScopeEdit } from './narrowing';

interface Outcome {
  licenceId: string;
  operation: string;
  status?: string;
  audit: string[];
  error?: unknown;
}

/** Stewards: the pending queue (approve, with narrowing, or reject) and the licences in force (suspend, reinstate, revoke). */
export function StewardQueue() {
  const { t } = useI18n();
  const [licences, setLicences] = useState<License[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const load = useCallback(() => {
    gql<{ licenses: License[] }>(`{ licenses { ${LICENCE_FIELDS} } }`).then(
      (d) => setLicences(d.licenses),
      (err: unknown) => setError(err),
    );
  }, []);
  useEffect(load, [load]);

  const act = async (licence: License, operation: string, mutation: string, variables: Record<string, unknown>) => {
    try {
      const answer = await gqlRequest<Record<string, { id: string; status: string }>>(mutation, variables);
      setOutcome({
        licenceId: licence.id,
        operation,
        status: answer.data[operation]?.status,
        audit: answer.auditEventIds,
      });
      load();
    } catch (err) {
      setOutcome({ licenceId: licence.id, operation, audit: [], error: err });
    }
  };

  const pending = licences?.filter((l) => l.status === 'requested') ?? [];
  const others = licences?.filter((l) => l.status !== 'requested') ?? [];
  const outcomeFor = (l: License) =>
    outcome && outcome.licenceId === l.id ? (
      <div className="outcome" data-testid="decision-outcome">
        {outcome.error ? (
          <ErrorNotice error={outcome.error} />
        ) : (
          <p className="notice ok" role="status">
            {t('queue.done', { id: l.id, status: outcome.status ?? '' })}
          </p>
        )}
        <AuditNote ids={outcome.audit} operation={outcome.operation} />
      </div>
    ) : null;

  return (
    <div>
      <section className="panel" aria-labelledby="queue-title">
        <h1 id="queue-title">{t('queue.title')}</h1>
        <ErrorNotice error={error} />
        {licences === null && !error && <Loading />}
        {licences !== null && pending.length === 0 && <p>{t('queue.empty')}</p>}
        {outcome && !licences?.some((l) => l.id === outcome.licenceId) && outcome.error !== undefined && (
          <ErrorNotice error={outcome.error} />
        )}
        <div className="licences">
          {pending.map((l) => (
            <LicenceCard key={l.id} licence={l}>
              <Decide licence={l} act={act} />
              {outcomeFor(l)}
            </LicenceCard>
          ))}
        </div>
      </section>
      <section className="panel" aria-labelledby="inforce-title">
        <h2 id="inforce-title">{t('queue.others')}</h2>
        <div className="licences">
          {others.map((l) => (
            <LicenceCard key={l.id} licence={l}>
              <Govern licence={l} act={act} />
              {outcomeFor(l)}
            </LicenceCard>
          ))}
        </div>
      </section>
    </div>
  );
}

type Act = (licence: License, operation: string, mutation: string, variables: Record<string, unknown>) => Promise<void>;

function Reason({ value, onChange, label }: { value: string; onChange: (v: string) => void; label: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function Decide({ licence, act }: { licence: License; act: Act }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [validTo, setValidTo] = useState('');
  const [quota, setQuota] = useState('');
  const [edits, setEdits] = useState<Record<string, ScopeEdit>>({});
  const validToId = useId();
  const quotaId = useId();
  const scoped = narrowedScopes(licence.datasets, edits);
  const narrow: Record<string, unknown> = {};
  if (validTo) narrow.validTo = validTo;
  if (quota) narrow.dailyQuota = Number(quota);
  if (scoped.changed) narrow.datasets = scoped.scopes;
  const narrowing = Object.keys(narrow).length > 0;
  const edit = (dataset: string, change: (e: ScopeEdit) => ScopeEdit) =>
    setEdits((all) => ({ ...all, [dataset]: change(all[dataset] ?? { levels: {} }) }));
  return (
    <div className="decide">
      <fieldset>
        <legend>{t('queue.narrow')}</legend>
        {licence.datasets.map((scope) => (
          <ScopeNarrowing key={scope.dataset} scope={scope} edit={edits[scope.dataset]} onEdit={edit} />
        ))}
        <div className="row-of-fields">
          <div className="field">
            <label htmlFor={validToId}>{t('queue.narrowValidTo', { to: licence.validTo })}</label>
            <input
              id={validToId}
              type="date"
              value={validTo}
              max={licence.validTo}
              onChange={(e) => setValidTo(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={quotaId}>{t('queue.narrowQuota', { quota: licence.dailyQuota })}</label>
            <input
              id={quotaId}
              type="number"
              min={1}
              max={licence.dailyQuota}
              value={quota}
              onChange={(e) => setQuota(e.target.value)}
            />
          </div>
        </div>
        {scoped.problems.length > 0 && (
          <ul className="notice error" role="alert" data-testid="narrowing-problems">
            {scoped.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </fieldset>
      <div className="actions">
        <ConfirmButton
          label={t('queue.approve')}
          disabled={scoped.problems.length > 0}
          confirmText={
            narrowing
              ? t('queue.confirmApproveNarrowed', { id: licence.id })
              : t('queue.confirmApprove', { id: licence.id })
          }
          onConfirm={() =>
            act(
              licence,
              'approveLicense',
              `mutation($id: ID!, $n: LicenseNarrowingInput) { approveLicense(id: $id, narrow: $n) { id status } }`,
              { id: licence.id, n: narrowing ? narrow : null },
            )
          }
        />
      </div>
      <Reason label={t('queue.reason')} value={reason} onChange={setReason} />
      <div className="actions">
        <ConfirmButton
          danger
          label={t('queue.reject')}
          disabled={reason.trim() === ''}
          confirmText={t('queue.confirmReject', { id: licence.id, reason })}
          onConfirm={() =>
            act(
              licence,
              'rejectLicense',
              `mutation($id: ID!, $r: LicenseReasonInput!) { rejectLicense(id: $id, input: $r) { id status } }`,
              { id: licence.id, r: { reason } },
            )
          }
        />
      </div>
    </div>
  );
}

function Govern({ licence, act }: { licence: License; act: Act }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const reasonOp = (operation: string, label: string, confirm: string, danger = true) => (
    <ConfirmButton
      danger={danger}
      label={label}
      disabled={reason.trim() === ''}
      confirmText={confirm}
      onConfirm={() =>
        act(
          licence,
          operation,
          `mutation($id: ID!, $r: LicenseReasonInput!) { ${operation}(id: $id, input: $r) { id status } }`,
          { id: licence.id, r: { reason } },
        )
      }
    />
  );
  if (licence.status !== 'active' && licence.status !== 'suspended') return null;
  return (
    <div className="govern">
      <Reason label={t('queue.reason')} value={reason} onChange={setReason} />
      <div className="actions">
        {licence.status === 'active' &&
          reasonOp('suspendLicense', t('queue.suspend'), t('queue.confirmSuspend', { id: licence.id, reason }))}
        {licence.status === 'suspended' &&
          reasonOp(
            'reinstateLicense',
            t('queue.reinstate'),
            t('queue.confirmReinstate', { id: licence.id, reason }),
            false,
          )}
        {reasonOp('revokeLicense', t('queue.revoke'), t('queue.confirmRevoke', { id: licence.id, reason }))}
      </div>
    </div>
  );
}

/** One requested dataset scope: coarser levels, dimensions left out, fewer cities, a shorter period. */
function ScopeNarrowing({
  scope,
  edit,
  onEdit,
}: {
  scope: License['datasets'][number];
  edit: ScopeEdit | undefined;
  onEdit: (dataset: string, change: (e: ScopeEdit) => ScopeEdit) => void;
}) {
  const { t, lang } = useI18n();
  const [dimensions] = useLoad(
    () =>
      gql<{ dataset: { dimensions: (LevelList & { titleZh: string; titleEn: string })[] } | null }>(
        `query($slug: String!) { dataset(slug: $slug) { dimensions { code titleZh titleEn levels { code } } } }`,
        { slug: scope.dataset },
      ).then((d) => d.dataset?.dimensions ?? []),
    [scope.dataset],
  );
  const baseId = useId();
  const keptCities = edit?.cities ?? scope.cities ?? [];
  return (
    <div className="scope-narrowing" data-testid={`narrow-${scope.dataset}`}>
      <p>
        <code>{scope.dataset}</code>
      </p>
      <div className="row-of-fields">
        {scope.dimensions.map((d) => {
          const spec = dimensions?.find((x) => x.code === d.dimension);
          const title = spec ? (lang === 'zh' ? spec.titleZh : spec.titleEn) : d.dimension;
          const chosen = edit && d.dimension in edit.levels ? edit.levels[d.dimension] : d.level;
          const id = `${baseId}-${d.dimension}`;
          return (
            <div className="field" key={d.dimension}>
              <label htmlFor={id}>{t('queue.narrowLevel', { dimension: title, level: d.level })}</label>
              <select
                id={id}
                value={chosen ?? ''}
                onChange={(e) =>
                  onEdit(scope.dataset, (x) => ({
                    ...x,
                    levels: { ...x.levels, [d.dimension]: e.target.value === '' ? null : e.target.value },
                  }))
                }
              >
                {grantableLevels(spec, d.level).map((level) => (
                  <option key={level} value={level}>
                    {level}
                  </option>
                ))}
                <option value="">{t('queue.narrowDrop')}</option>
              </select>
            </div>
          );
        })}
      </div>
      {scope.cities && (
        <fieldset>
          <legend>{t('queue.narrowCities')}</legend>
          {scope.cities.map((city) => (
            <label key={city} className="check">
              <input
                type="checkbox"
                checked={keptCities.includes(city)}
                onChange={(e) =>
                  onEdit(scope.dataset, (x) => {
                    const current = x.cities ?? scope.cities ?? [];
                    return {
                      ...x,
                      cities: e.target.checked ? [...current, city] : current.filter((c) => c !== city),
                    };
                  })
                }
              />{' '}
              {city}
            </label>
          ))}
        </fieldset>
      )}
      <div className="row-of-fields">
        <div className="field">
          <label htmlFor={`${baseId}-from`}>{t('queue.narrowFrom', { from: scope.periodFrom ?? '…' })}</label>
          <input
            id={`${baseId}-from`}
            type="date"
            min={scope.periodFrom ?? undefined}
            max={scope.periodTo ?? undefined}
            value={edit?.periodFrom ?? ''}
            onChange={(e) => onEdit(scope.dataset, (x) => ({ ...x, periodFrom: e.target.value }))}
          />
        </div>
        <div className="field">
          <label htmlFor={`${baseId}-to`}>{t('queue.narrowTo', { to: scope.periodTo ?? '…' })}</label>
          <input
            id={`${baseId}-to`}
            type="date"
            min={scope.periodFrom ?? undefined}
            max={scope.periodTo ?? undefined}
            value={edit?.periodTo ?? ''}
            onChange={(e) => onEdit(scope.dataset, (x) => ({ ...x, periodTo: e.target.value }))}
          />
        </div>
      </div>
    </div>
  );
}
