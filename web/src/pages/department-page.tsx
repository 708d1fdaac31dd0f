import { useEffect, useId, useMemo, useState } from 'react';
import { gql } from '../api/client';
import type { AggregateResult, License } from '../api/types';
import { FlagLegend, formatValue } from '../builder/result-table';
import { flagsIn } from '../builder/pivot';
import { Chart } from '../chart/chart';
import { chartSpec, type ChartSpec } from '../chart/chart-spec';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/common';
import type { AggregateQueryInput } from '../builder/query-state';

const RESULT = `dataset columns rows { keys labels labelsEn cells { measure value flags } } disclosure { method threshold suppressedCells budgetRemaining } licenseId auditEventId citation`;
const aggregate = (q: AggregateQueryInput) =>
  gql<{ aggregate: AggregateResult }>(`query($q: AggregateQueryInput!) { aggregate(query: $q) { ${RESULT} } }`, {
    q,
  }).then((d) => d.aggregate);

const PERFORMANCE: { measure: string; label: MessageKey }[] = [
  { measure: 'onTimeRate', label: 'dept.onTime' },
  { measure: 'solvedRate', label: 'dept.solved' },
  { measure: 'satisfactionRate', label: 'dept.satisfaction' },
  { measure: 'repeatRate', label: 'dept.repeat' },
  { measure: 'templateReplyShare', label: 'dept.templateReply' },
];
/** What the open dataset publishes for everyone; the rest of the province needs a licence. */
const OPEN_MEASURES = new Set(['solvedRate', 'satisfactionRate']);

type Outcome = { result: AggregateResult } | { error: unknown };

function settle(p: Promise<AggregateResult>): Promise<Outcome> {
  return p.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

export function DepartmentPage() {
  const { t, pick } = useI18n();
  const session = useSession();
  const org = session.me?.principal.organization;
  const departmentCode = org?.departmentCode ?? null;
  const city = departmentCode && /^\d{6}-/.test(departmentCode) ? departmentCode.slice(0, 6) : null;
  const province = city ? `${city.slice(0, 2)}0000` : null;
  const [licences, setLicences] = useState<License[] | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState({ from: '', to: '' });
  const fromId = useId();
  const toId = useId();

  useEffect(() => {
    gql<{ licenses: License[] }>(`{ licenses(status: "active") { id licenseeId datasets { dataset } } }`).then(
      (d) => setLicences(d.licenses.filter((l) => l.licenseeId === session.me?.principal.id)),
      () => setLicences([]),
    );
  }, [session.me]);

  const licenceFor = (dataset: string) => licences?.find((l) => l.datasets.some((d) => d.dataset === dataset))?.id;

  if (!departmentCode) {
    return (
      <section className="panel">
        <h1>{t('dept.title')}</h1>
        <p>{t('dept.notDepartment')}</p>
      </section>
    );
  }
  return (
    <div>
      <section className="panel">
        <h1>{t('dept.title')}</h1>
        <p>
          {pick(org?.nameZh, org?.nameEn)} · <code>{departmentCode}</code>
        </p>
        <form
          className="row-of-fields"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ from, to });
          }}
        >
          <div className="field">
            <label htmlFor={fromId}>{t('builder.timeFrom')}</label>
            <input id={fromId} value={from} onChange={(e) => setFrom(e.target.value.trim())} placeholder="2021-01" />
          </div>
          <div className="field">
            <label htmlFor={toId}>{t('builder.timeTo')}</label>
            <input id={toId} value={to} onChange={(e) => setTo(e.target.value.trim())} placeholder="2022-12" />
          </div>
          <button type="submit">{t('dept.apply')}</button>
        </form>
      </section>
      {licences === null ? (
        <Loading />
      ) : (
        <>
          <Performance range={applied} province={province} provinceLicence={licenceFor('hotline-cases')} />
          <SurgeMonitor city={city} licence={licenceFor('call-traffic')} />
          <HotTopics range={applied} />
        </>
      )}
    </div>
  );
}

function timeFilter(range: { from: string; to: string }) {
  return range.from || range.to
    ? [{ dimension: 'time', ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) }]
    : [];
}

function Performance({
  range,
  province,
  provinceLicence,
}: {
  range: { from: string; to: string };
  province: string | null;
  provinceLicence: string | undefined;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [own, setOwn] = useState<Outcome | null>(null);
  const [open, setOpen] = useState<Outcome | null>(null);
  const [licensed, setLicensed] = useState<Outcome | null>(null);

  useEffect(() => {
    const time = timeFilter(range);
    const provinceFilter = province ? [{ dimension: 'area', level: 'province', in: [province] }] : [];
    setOwn(null);
    setOpen(null);
    setLicensed(null);
    void settle(
      aggregate({ dataset: 'hotline-cases', measures: ['cases', ...PERFORMANCE.map((p) => p.measure)], filters: time }),
    ).then(setOwn);
    void settle(
      aggregate({
        dataset: 'hotline-cases-open',
        measures: ['cases', ...PERFORMANCE.map((p) => p.measure).filter((m) => OPEN_MEASURES.has(m))],
        filters: [...time, ...provinceFilter],
      }),
    ).then(setOpen);
    if (provinceLicence) {
      void settle(
        aggregate({
          dataset: 'hotline-cases',
          licenseId: provinceLicence,
          measures: PERFORMANCE.map((p) => p.measure).filter((m) => !OPEN_MEASURES.has(m)),
          filters: [...time, ...provinceFilter],
        }),
      ).then(setLicensed);
    }
  }, [range, province, provinceLicence]);

  const cell = (o: Outcome | null, measure: string) =>
    o && 'result' in o ? o.result.rows[0]?.cells.find((c) => c.measure === measure) : undefined;
  const provinceCell = (measure: string) => cell(OPEN_MEASURES.has(measure) ? open : licensed, measure);
  const ownCases = cell(own, 'cases');

  return (
    <section className="panel" aria-labelledby="perf-title">
      <h2 id="perf-title">{t('dept.performance')}</h2>
      {own === null && <Loading />}
      {own && 'error' in own && <ErrorNotice error={own.error} />}
      {own && 'result' in own && (
        <>
          <p>{t('dept.cases', { n: formatValue(ownCases, i18n) || '—' })}</p>
          <div className="table-wrap">
            <table data-testid="department-performance">
              <thead>
                <tr>
                  <th scope="col">{t('dept.measure')}</th>
                  <th scope="col" className="num">
                    {t('dept.yours')}
                  </th>
                  <th scope="col" className="num">
                    {t('dept.province')}
                  </th>
                  <th scope="col" className="num">
                    {t('dept.difference')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {PERFORMANCE.map((p) => {
                  const mine = cell(own, p.measure);
                  const theirs = provinceCell(p.measure);
                  const diff =
                    mine?.value != null && theirs?.value != null
                      ? `${mine.value >= theirs.value ? '+' : ''}${i18n.number((mine.value - theirs.value) * 100, 1)} pp`
                      : '';
                  return (
                    <tr key={p.measure}>
                      <th scope="row">{t(p.label)}</th>
                      <td className="num">{formatValue(mine, i18n) || '—'}</td>
                      <td className="num">{formatValue(theirs, i18n) || t('dept.notPublished')}</td>
                      <td className="num">{diff}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {open && 'error' in open && <ErrorNotice error={open.error} />}
          {licensed && 'error' in licensed && <ErrorNotice error={licensed.error} />}
          {!provinceLicence && <p className="hint">{t('dept.provinceHint')}</p>}
        </>
      )}
    </section>
  );
}

function SurgeMonitor({ city, licence }: { city: string | null; licence: string | undefined }) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const [day, setDay] = useState('');
  const [result, setResult] = useState<Outcome | null>(null);
  const dayId = useId();

  // Without a chosen day, show the day with the strongest surge in the department's city.
  useEffect(() => {
    if (day) return;
    const cityFilter = city ? [{ dimension: 'area', level: 'city', in: [city] }] : [];
    void settle(
      aggregate({
        dataset: 'call-traffic',
        ...(licence ? { licenseId: licence } : {}),
        groupBy: [{ dimension: 'time', level: 'day' }],
        measures: ['surgeRatio'],
        filters: cityFilter,
        orderBy: [{ field: 'surgeRatio', direction: 'DESC' }],
        limit: 1,
      }),
    ).then((o) => {
      if ('result' in o && o.result.rows[0]) setDay(o.result.rows[0].keys[0]);
      else setResult(o);
    });
  }, [city, licence, day]);

  useEffect(() => {
    if (!day) return;
    const cityFilter = city ? [{ dimension: 'area', level: 'city', in: [city] }] : [];
    setResult(null);
    void settle(
      aggregate({
        dataset: 'call-traffic',
        ...(licence ? { licenseId: licence } : {}),
        groupBy: [{ dimension: 'time', level: 'hour' }],
        measures: ['callsOffered', 'baselineCallsOffered', 'surgeRatio', 'answerRate'],
        filters: [...cityFilter, { dimension: 'time', from: day, to: day }],
        orderBy: [{ field: 'time.hour', direction: 'ASC' }],
      }),
    ).then(setResult);
  }, [city, licence, day]);

  const spec = useMemo<ChartSpec | null>(() => {
    if (!result || !('result' in result) || result.result.rows.length === 0) return null;
    const rows = result.result.rows;
    const at = (r: (typeof rows)[number], m: string) => r.cells.find((c) => c.measure === m);
    return {
      kind: 'line',
      categories: rows.map((r) => r.keys[0].slice(11) + ':00'),
      series: [
        {
          name: t('dept.calls'),
          points: rows.map((r) => ({
            value: at(r, 'callsOffered')?.value ?? null,
            flags: at(r, 'surgeRatio')?.flags ?? [],
          })),
        },
        {
          name: t('dept.baseline'),
          points: rows.map((r) => ({ value: at(r, 'baselineCallsOffered')?.value ?? null, flags: [] })),
        },
      ],
      omittedSeries: 0,
    };
  }, [result, t]);

  const surgeHours =
    result && 'result' in result
      ? result.result.rows.filter((r) => r.cells.some((c) => c.flags.includes('surge'))).map((r) => r.keys[0].slice(11))
      : [];

  return (
    <section className="panel" aria-labelledby="surge-title">
      <h2 id="surge-title">{t('dept.surge')}</h2>
      <p>{t('dept.surgeLead')}</p>
      <div className="field">
        <label htmlFor={dayId}>{t('dept.day')}</label>
        <input id={dayId} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
      </div>
      {result === null && day && <Loading />}
      {result && 'error' in result && <ErrorNotice error={result.error} />}
      {result && 'result' in result && (
        <>
          <p data-testid="surge-hours">
            {surgeHours.length > 0 ? t('dept.surgeHours', { hours: surgeHours.join(', ') }) : t('dept.noSurge')}
          </p>
          {spec && (
            <Chart
              spec={spec}
              title={t('dept.surgeChart', { day })}
              format={(v) => i18n.number(v)}
              highlightFlag="surge"
            />
          )}
          <FlagLegend flags={flagsIn(result.result)} />
          <details>
            <summary>{t('dept.surgeTable')}</summary>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('dept.hour')}</th>
                    <th scope="col" className="num">
                      {t('dept.calls')}
                    </th>
                    <th scope="col" className="num">
                      {t('dept.baseline')}
                    </th>
                    <th scope="col" className="num">
                      {t('dept.ratio')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.result.rows.map((r) => {
                    const c = (m: string) => r.cells.find((x) => x.measure === m);
                    const ratio = c('surgeRatio');
                    return (
                      <tr key={r.keys[0]} className={ratio?.flags.includes('surge') ? 'flag-surge' : undefined}>
                        <th scope="row">{pick(r.labels[0], r.labelsEn[0]) || r.keys[0]}</th>
                        <td className="num">{formatValue(c('callsOffered'), i18n)}</td>
                        <td className="num">{formatValue(c('baselineCallsOffered'), i18n)}</td>
                        <td className="num">
                          {ratio?.value != null ? i18n.number(ratio.value, 1) : '—'}
                          {ratio?.flags.includes('surge') ? ' ▲' : ''}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

function HotTopics({ range }: { range: { from: string; to: string } }) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const [result, setResult] = useState<Outcome | null>(null);
  useEffect(() => {
    setResult(null);
    void settle(
      aggregate({
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'topic', level: 'keyword' }],
        measures: ['cases'],
        filters: timeFilter(range),
        orderBy: [{ field: 'cases', direction: 'DESC' }],
        limit: 15,
      }),
    ).then(setResult);
  }, [range]);
  const spec = useMemo(
    () => (result && 'result' in result ? chartSpec(result.result, 'cases', pick) : null),
    [result, pick],
  );
  return (
    <section className="panel" aria-labelledby="topics-title">
      <h2 id="topics-title">{t('dept.topics')}</h2>
      {result === null && <Loading />}
      {result && 'error' in result && <ErrorNotice error={result.error} />}
      {result && 'result' in result && (
        <>
          {result.result.rows.length === 0 && <p>{t('builder.noRows')}</p>}
          {spec && <Chart spec={spec} title={t('dept.topicsChart')} format={(v) => i18n.number(v)} />}
          <ol className="topics" data-testid="hot-topics">
            {result.result.rows.map((r) => (
              <li key={r.keys[0]}>
                {pick(r.labels[0], r.labelsEn[0]) || r.keys[0]}: {formatValue(r.cells[0], i18n) || '—'}
                {r.cells[0].flags.length > 0 && ` (${r.cells[0].flags.join(', ')})`}
              </li>
            ))}
          </ol>
          <FlagLegend flags={flagsIn(result.result)} />
        </>
      )}
    </section>
  );
}
