import { useEffect, useId, useState, type FormEvent } from 'react';
import { fetchDataset, fetchDatasets } from '../api/catalog';
import { gqlRequest } from '../api/client';
import type { Dataset } from '../api/types';
import { MemberPicker } from '../builder/member-picker';
import { useI18n } from '../i18n';
import { AuditNote, ErrorNotice, Loading } from '../ui/common';

export const OBLIGATIONS = ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'] as const;

interface ScopeDraft {
  include: boolean;
  /** dimension -> finest level requested ('' = not requested) */
  levels: Record<string, string>;
  cities: string[];
  periodFrom: string;
  periodTo: string;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** requestLicense, with every field the API takes and each obligation accepted by its own checkbox. */
export function ApplyForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t, pick } = useI18n();
  const [datasets, setDatasets] = useState<Dataset[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [purpose, setPurpose] = useState('');
  const today = new Date();
  const [validFrom, setValidFrom] = useState(isoDay(today));
  const [validTo, setValidTo] = useState(isoDay(new Date(today.getTime() + 364 * 86_400_000)));
  const [quota, setQuota] = useState(200);
  const [accepted, setAccepted] = useState<string[]>([]);
  const [scopes, setScopes] = useState<Record<string, ScopeDraft>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ id: string; status: string; audit: string[] } | null>(null);
  const ids = { purpose: useId(), from: useId(), to: useId(), quota: useId() };

  useEffect(() => {
    fetchDatasets()
      .then((list) => Promise.all(list.filter((d) => d.licenseRequired).map((d) => fetchDataset(d.slug))))
      .then((full) => setDatasets(full.filter((d): d is Dataset => d !== null)))
      .catch((err: unknown) => setError(err));
  }, []);

  const draft = (slug: string): ScopeDraft =>
    scopes[slug] ?? { include: false, levels: {}, cities: [], periodFrom: '', periodTo: '' };
  const setDraft = (slug: string, patch: Partial<ScopeDraft>) =>
    setScopes((s) => ({ ...s, [slug]: { ...draft(slug), ...patch } }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input = {
      purpose,
      validFrom,
      validTo,
      dailyQuota: quota,
      acceptObligations: accepted,
      datasets: Object.entries(scopes)
        .filter(([, d]) => d.include)
        .map(([dataset, d]) => ({
          dataset,
          dimensions: Object.entries(d.levels)
            .filter(([, level]) => level !== '')
            .map(([dimension, level]) => ({ dimension, level })),
          ...(d.cities.length > 0 ? { cities: d.cities } : {}),
          ...(d.periodFrom ? { periodFrom: d.periodFrom } : {}),
          ...(d.periodTo ? { periodTo: d.periodTo } : {}),
        })),
    };
    try {
      const answer = await gqlRequest<{ requestLicense: { id: string; status: string } }>(
        `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { id status } }`,
        { i: input },
      );
      setDone({ ...answer.data.requestLicense, audit: answer.auditEventIds });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div role="status">
        <p className="notice ok">{t('apply.sent', { id: done.id, status: done.status })}</p>
        <AuditNote ids={done.audit} operation="requestLicense" />
        <button type="button" onClick={onDone}>
          {t('common.close')}
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="apply-form">
      <label htmlFor={ids.purpose}>{t('apply.purpose')}</label>
      <textarea
        id={ids.purpose}
        value={purpose}
        onChange={(e) => setPurpose(e.target.value)}
        rows={3}
        required
        minLength={20}
        aria-describedby={`${ids.purpose}-hint`}
      />
      <p className="hint" id={`${ids.purpose}-hint`}>
        {t('apply.purposeHint')}
      </p>
      {datasets === null && !error && <Loading />}
      {datasets?.map((d) => {
        const s = draft(d.slug);
        const area = d.dimensions.find((x) => x.code === 'area');
        const cityLevel = area?.levels.find((l) => l.code === 'city');
        return (
          <fieldset key={d.slug} className="scope">
            <legend>
              <label className="check">
                <input type="checkbox" checked={s.include} onChange={() => setDraft(d.slug, { include: !s.include })} />
                {pick(d.titleZh, d.titleEn)} <code>{d.slug}</code>
              </label>
            </legend>
            {s.include && (
              <>
                <p className="hint">{t('apply.levelsHint')}</p>
                <div className="dimension-levels">
                  {d.dimensions.map((dim) => (
                    <LevelChoice
                      key={dim.code}
                      label={pick(dim.titleZh, dim.titleEn)}
                      value={s.levels[dim.code] ?? ''}
                      options={dim.levels.map((l) => [l.code, pick(l.titleZh, l.titleEn)] as [string, string])}
                      onChange={(v) => setDraft(d.slug, { levels: { ...s.levels, [dim.code]: v } })}
                    />
                  ))}
                </div>
                {cityLevel && (
                  <MemberPicker
                    label={t('apply.cities')}
                    members={cityLevel.members}
                    selected={s.cities}
                    onChange={(cities) => setDraft(d.slug, { cities })}
                  />
                )}
                <div className="row-of-fields">
                  <DateField
                    label={t('apply.periodFrom')}
                    value={s.periodFrom}
                    onChange={(v) => setDraft(d.slug, { periodFrom: v })}
                  />
                  <DateField
                    label={t('apply.periodTo')}
                    value={s.periodTo}
                    onChange={(v) => setDraft(d.slug, { periodTo: v })}
                  />
                </div>
              </>
            )}
          </fieldset>
        );
      })}
      <div className="row-of-fields">
        <DateField label={t('apply.validFrom')} value={validFrom} onChange={setValidFrom} required />
        <DateField label={t('apply.validTo')} value={validTo} onChange={setValidTo} required />
        <div className="field">
          <label htmlFor={ids.quota}>{t('apply.quota')}</label>
          <input
            id={ids.quota}
            type="number"
            min={1}
            max={100000}
            value={quota}
            onChange={(e) => setQuota(Number(e.target.value))}
            required
          />
        </div>
      </div>
      <fieldset>
        <legend>{t('apply.obligations')}</legend>
        {OBLIGATIONS.map((o) => (
          <label key={o} className="check">
            <input
              type="checkbox"
              checked={accepted.includes(o)}
              onChange={() => setAccepted(accepted.includes(o) ? accepted.filter((x) => x !== o) : [...accepted, o])}
            />
            {t(`obligation.${o}`)}
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('apply.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function LevelChoice({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('apply.notRequested')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {t('apply.downTo', { level: text })}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DateField({
  label,
  value,
  onChange,
  required,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="date" value={value} onChange={(e) => onChange(e.target.value)} required={required} />
    </div>
  );
}
