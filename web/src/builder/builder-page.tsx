import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { fetchDataset, fetchDatasets, useLoad } from '../api/catalog';
import { ApiError, downloadExport, gql } from '../api/client';
import type { AggregateResult, Dataset, License } from '../api/types';
import { Chart } from '../chart/chart';
import { chartSpec } from '../chart/chart-spec';
import { useI18n } from '../i18n';
import { useRouter } from '../router';
import { useSession } from '../session';
import { CopyBox, ErrorNotice, Facts, Loading } from '../ui/common';
import { isShare } from './flags';
import { MemberPicker } from './member-picker';
import { flagsIn } from './pivot';
import {
  EMPTY_STATE,
  columnOf,
  MAX_LIMIT,
  fitToCatalog,
  isRunnable,
  parseState,
  serializeState,
  toAggregateInput,
  type Axis,
  type BuilderState,
} from './query-state';
import { FlagLegend, ResultTable, dimensionTitle, measureTitle } from './result-table';
import { AGGREGATE_QUERY, snippets } from './snippets';

const LICENCES = `{ me { principal { id } } licenses(status: "active") { id status licenseeId purpose validFrom validTo dailyQuota datasets { dataset dimensions { dimension level } } usage { usedToday dailyQuota remainingToday resetsAt total } } }`;

/** The last budget the gateway reported per licence and dataset, to show on the licences page. */
export function rememberBudget(licenseId: string | null, dataset: string, remaining: number | null): void {
  if (!licenseId || remaining === null) return;
  try {
    sessionStorage.setItem(`hgw.budget.${licenseId}.${dataset}`, String(remaining));
  } catch {
    // storage full or off: nothing to remember
  }
}

export function BuilderPage() {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const session = useSession();
  const { search, navigate } = useRouter();
  const parsed = useMemo(() => parseState(search), [search]);
  const [state, setState] = useState<BuilderState>(parsed.state);
  const [datasets, datasetsError] = useLoad(fetchDatasets, []);
  const [dataset, datasetError, datasetLoading] = useLoad(
    () => (state.dataset ? fetchDataset(state.dataset) : Promise.resolve(null)),
    [state.dataset],
  );
  const [licences, setLicences] = useState<License[]>([]);
  const [result, setResult] = useState<{ result: AggregateResult; state: BuilderState } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [fitProblems, setFitProblems] = useState<string[]>([]);
  const lastRun = useRef<string | null>(null);

  // Only the caller's own active licences can be queried under.
  useEffect(() => {
    if (!session.can('read:License') || !session.me) return;
    gql<{ me: { principal: { id: string } }; licenses: License[] }>(LICENCES)
      .then((d) => setLicences(d.licenses.filter((l) => l.licenseeId === d.me.principal.id)))
      .catch(() => setLicences([]));
  }, [session]);

  // The URL is the source of truth: back/forward and opened links replace the form.
  useEffect(() => {
    setState(parsed.state);
  }, [parsed]);

  // Once the catalog entry is known, drop what the dataset does not publish (and say so).
  useEffect(() => {
    if (!dataset) return;
    const fitted = fitToCatalog(state, dataset);
    setFitProblems(fitted.problems);
    if (fitted.problems.length > 0) setState(fitted.state);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataset]);

  const run = useCallback(async (s: BuilderState) => {
    setRunning(true);
    setError(null);
    setDownloadError(null);
    try {
      const d = await gql<{ aggregate: AggregateResult }>(AGGREGATE_QUERY, { q: toAggregateInput(s) });
      setResult({ result: d.aggregate, state: s });
      rememberBudget(d.aggregate.licenseId, d.aggregate.dataset, d.aggregate.disclosure.budgetRemaining);
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setRunning(false);
    }
  }, []);

  // A link that holds a complete query runs it once the catalog entry has been checked.
  useEffect(() => {
    if (!dataset || dataset.slug !== parsed.state.dataset || !isRunnable(parsed.state)) return;
    const fitted = fitToCatalog(parsed.state, dataset).state;
    const key = serializeState(fitted);
    if (lastRun.current === key) return;
    lastRun.current = key;
    void run(fitted);
  }, [dataset, parsed, run]);

  const submit = () => {
    const query = serializeState(state);
    // The same query again (e.g. after a licence change): the URL does not change, so run it here.
    if (`?${query}` === search) {
      void run(dataset ? fitToCatalog(state, dataset).state : state);
    } else {
      lastRun.current = null;
      navigate(`/build?${query}`);
    }
  };

  const update = (patch: Partial<BuilderState>) => setState((s) => ({ ...s, ...patch }));
  const usedDims = new Set([...state.rows, ...state.columns].map((a) => a.dimension));
  const licencesHere = licences.filter((l) => l.datasets.some((d) => d.dataset === state.dataset));

  return (
    <div className="builder">
      <section className="panel" aria-labelledby="builder-title">
        <h1 id="builder-title">{t('builder.title')}</h1>
        <p>{t('builder.lead')}</p>
        {parsed.problems.length > 0 && (
          <div className="notice warn" role="status">
            <p>{t('builder.urlProblems')}</p>
            <ul>
              {parsed.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {fitProblems.length > 0 && (
          <div className="notice warn" role="status">
            <p>{t('builder.fitProblems')}</p>
            <ul>
              {fitProblems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        <ErrorNotice error={datasetsError} />
        <form
          className="builder-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="row-of-fields">
            <Select
              label={t('builder.dataset')}
              value={state.dataset}
              onChange={(v) => {
                setFitProblems([]);
                setState({ ...EMPTY_STATE, dataset: v });
              }}
              options={[
                ['', t('builder.chooseDataset')],
                ...(datasets ?? []).map(
                  (d) => [d.slug, `${pick(d.titleZh, d.titleEn)} (${d.slug})`] as [string, string],
                ),
              ]}
            />
            {session.me && (
              <Select
                label={t('builder.licence')}
                value={state.licenseId}
                onChange={(v) => update({ licenseId: v })}
                options={[
                  ['', t('builder.noLicence')],
                  ...licencesHere.map((l) => [l.id, `${l.id} · ${l.purpose.slice(0, 40)}`] as [string, string]),
                  ...(state.licenseId && !licencesHere.some((l) => l.id === state.licenseId)
                    ? [[state.licenseId, state.licenseId] as [string, string]]
                    : []),
                ]}
              />
            )}
          </div>
          {datasetLoading && state.dataset && <Loading />}
          <ErrorNotice error={datasetError} />
          {dataset && <DatasetControls dataset={dataset} state={state} update={update} usedDims={usedDims} />}
          <div className="actions">
            <button type="submit" className="primary" disabled={!isRunnable(state) || running}>
              {running ? t('builder.running') : t('builder.run')}
            </button>
            {!isRunnable(state) && <span className="hint">{t('builder.needs')}</span>}
          </div>
        </form>
      </section>
      {running && <Loading />}
      <ErrorNotice error={error} />
      {error instanceof ApiError && error.code === 'LICENSE_REQUIRED' && session.can('request:License') && (
        <p>
          <a href="/licences?apply=1">{t('builder.applyHint')}</a>
        </p>
      )}
      {result && dataset && (
        <Answer
          result={result.result}
          state={result.state}
          dataset={dataset}
          onDownload={(format) => {
            setDownloadError(null);
            downloadExport(format, toAggregateInput(result.state)).catch((err: unknown) => setDownloadError(err));
          }}
          downloadError={downloadError}
        />
      )}
    </div>
  );
}

function Select({
  label,
  value,
  onChange,
  options,
  hideLabel,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  hideLabel?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function DatasetControls({
  dataset,
  state,
  update,
  usedDims,
}: {
  dataset: Dataset;
  state: BuilderState;
  update: (patch: Partial<BuilderState>) => void;
  usedDims: Set<string>;
}) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const timeDim = dataset.dimensions.find((d) => d.code === 'time');
  const filterable = dataset.dimensions.filter((d) => d.code !== 'time' && d.levels.some((l) => l.members.length > 0));
  const fromId = useId();
  const toId = useId();
  const limitId = useId();
  const dimTitle = (code: string) => {
    const d = dataset.dimensions.find((x) => x.code === code);
    return d ? pick(d.titleZh, d.titleEn) : code;
  };

  const axisEditor = (which: 'rows' | 'columns') => {
    const axes = state[which];
    const setAxes = (next: Axis[]) => update(which === 'rows' ? { rows: next } : { columns: next });
    const available = dataset.dimensions.filter((d) => !usedDims.has(d.code));
    const title = which === 'rows' ? t('builder.rows') : t('builder.columns');
    return (
      <fieldset className="axis">
        <legend>{title}</legend>
        {axes.map((a, i) => {
          const d = dataset.dimensions.find((x) => x.code === a.dimension);
          return (
            <div key={a.dimension} className="axis-item">
              <span className="axis-name">{dimTitle(a.dimension)}</span>
              {d && d.levels.length > 1 && (
                <Select
                  label={t('builder.levelOf', { dim: dimTitle(a.dimension) })}
                  hideLabel
                  value={a.level}
                  onChange={(v) => setAxes(axes.map((x, j) => (j === i ? { ...x, level: v } : x)))}
                  options={d.levels.map((l) => [l.code, pick(l.titleZh, l.titleEn)] as [string, string])}
                />
              )}
              <button
                type="button"
                onClick={() => setAxes(axes.filter((_, j) => j !== i))}
                aria-label={t('builder.remove', { what: dimTitle(a.dimension) })}
              >
                ✕
              </button>
            </div>
          );
        })}
        {available.length > 0 && (
          <Select
            label={which === 'rows' ? t('builder.addRow') : t('builder.addColumn')}
            value=""
            onChange={(v) => {
              const d = dataset.dimensions.find((x) => x.code === v);
              if (d) setAxes([...axes, { dimension: d.code, level: d.levels[0].code }]);
            }}
            options={[
              ['', t('builder.addDimension')],
              ...available.map((d) => [d.code, pick(d.titleZh, d.titleEn)] as [string, string]),
            ]}
          />
        )}
      </fieldset>
    );
  };

  const grouped = [...state.rows, ...state.columns].map((a) => columnOf(a, dataset));
  const orderFields: [string, string][] = [
    ['', t('builder.noOrder')],
    ...state.measures.map((m) => [m, measureTitle(dataset, m, i18n)] as [string, string]),
    ...grouped.map((g) => [g, dimensionTitle(dataset, g, i18n)] as [string, string]),
  ];

  return (
    <>
      <div className="axes">
        {axisEditor('rows')}
        {axisEditor('columns')}
      </div>
      <fieldset className="measures-pick">
        <legend>{t('builder.measures')}</legend>
        {dataset.measures.map((m) => (
          <label key={m.code} className="check" title={m.definition}>
            <input
              type="checkbox"
              checked={state.measures.includes(m.code)}
              onChange={() =>
                update({
                  measures: state.measures.includes(m.code)
                    ? state.measures.filter((x) => x !== m.code)
                    : [...state.measures, m.code],
                })
              }
            />
            {pick(m.titleZh, m.titleEn)} <span className="muted">({m.unit})</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="filters">
        <legend>{t('builder.filters')}</legend>
        {state.filters.map((f, i) => {
          const d = dataset.dimensions.find((x) => x.code === f.dimension);
          const level = d?.levels.find((l) => l.code === f.level);
          if (!d || !level) return null;
          const setFilter = (patch: Partial<typeof f>) =>
            update({ filters: state.filters.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
          return (
            <div key={`${f.dimension}.${f.level}`} className="filter">
              <div className="filter-head">
                <strong>{dimTitle(f.dimension)}</strong>
                {d.levels.length > 1 && (
                  <Select
                    label={t('builder.levelOf', { dim: dimTitle(f.dimension) })}
                    hideLabel
                    value={f.level}
                    onChange={(v) => setFilter({ level: v, in: [] })}
                    options={d.levels
                      .filter((l) => l.members.length > 0)
                      .map((l) => [l.code, pick(l.titleZh, l.titleEn)] as [string, string])}
                  />
                )}
                <button
                  type="button"
                  onClick={() => update({ filters: state.filters.filter((_, j) => j !== i) })}
                  aria-label={t('builder.remove', { what: t('builder.filterOn', { dim: dimTitle(f.dimension) }) })}
                >
                  ✕
                </button>
              </div>
              <MemberPicker
                label={`${dimTitle(f.dimension)} (${pick(level.titleZh, level.titleEn)})`}
                members={level.members}
                selected={f.in}
                onChange={(codes) => setFilter({ in: codes })}
              />
            </div>
          );
        })}
        <Select
          label={t('builder.addFilter')}
          value=""
          onChange={(v) => {
            const d = filterable.find((x) => x.code === v);
            const level = d?.levels.find((l) => l.members.length > 0);
            if (d && level) update({ filters: [...state.filters, { dimension: d.code, level: level.code, in: [] }] });
          }}
          options={[
            ['', t('builder.addDimension')],
            ...filterable
              .filter((d) => !state.filters.some((f) => f.dimension === d.code))
              .map((d) => [d.code, pick(d.titleZh, d.titleEn)] as [string, string]),
          ]}
        />
        {timeDim && (
          <div className="row-of-fields">
            <div className="field">
              <label htmlFor={fromId}>{t('builder.timeFrom')}</label>
              <input
                id={fromId}
                value={state.timeFrom}
                onChange={(e) => update({ timeFrom: e.target.value.trim() })}
                placeholder="2021-01"
                pattern="[0-9]{4}(-(Q[1-4]|W[0-9]{2}|[0-9]{2}(-[0-9]{2}(T[0-9]{2})?)?))?"
                aria-describedby={`${fromId}-hint`}
              />
            </div>
            <div className="field">
              <label htmlFor={toId}>{t('builder.timeTo')}</label>
              <input
                id={toId}
                value={state.timeTo}
                onChange={(e) => update({ timeTo: e.target.value.trim() })}
                placeholder="2021-12"
                pattern="[0-9]{4}(-(Q[1-4]|W[0-9]{2}|[0-9]{2}(-[0-9]{2}(T[0-9]{2})?)?))?"
                aria-describedby={`${fromId}-hint`}
              />
            </div>
            <p className="hint" id={`${fromId}-hint`}>
              {t('builder.timeHint')}
            </p>
          </div>
        )}
      </fieldset>
      <div className="row-of-fields">
        <Select
          label={t('builder.orderBy')}
          value={state.order?.field ?? ''}
          onChange={(v) => update({ order: v ? { field: v, direction: state.order?.direction ?? 'DESC' } : null })}
          options={orderFields}
        />
        {state.order && (
          <Select
            label={t('builder.direction')}
            value={state.order.direction}
            onChange={(v) =>
              update({ order: { field: state.order?.field ?? '', direction: v === 'ASC' ? 'ASC' : 'DESC' } })
            }
            options={[
              ['DESC', t('builder.desc')],
              ['ASC', t('builder.asc')],
            ]}
          />
        )}
        <div className="field">
          <label htmlFor={limitId}>{t('builder.limit')}</label>
          <input
            id={limitId}
            type="number"
            min={1}
            max={MAX_LIMIT}
            value={state.limit ?? ''}
            onChange={(e) => {
              const n = Number(e.target.value);
              update({ limit: e.target.value === '' || !Number.isInteger(n) || n < 1 ? null : Math.min(n, MAX_LIMIT) });
            }}
          />
        </div>
      </div>
    </>
  );
}

function Answer({
  result,
  state,
  dataset,
  onDownload,
  downloadError,
}: {
  result: AggregateResult;
  state: BuilderState;
  dataset: Dataset;
  onDownload: (format: 'csv' | 'json') => void;
  downloadError: unknown;
}) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const session = useSession();
  const flags = useMemo(() => flagsIn(result), [result]);
  const [chartMeasure, setChartMeasure] = useState(state.measures[0] ?? '');
  const measure = state.measures.includes(chartMeasure) ? chartMeasure : (state.measures[0] ?? '');
  const spec = useMemo(() => chartSpec(result, measure, pick), [result, measure, pick]);
  const format = useCallback(
    (v: number) => (isShare(measure) ? `${i18n.number(v * 100, 1)}%` : i18n.number(v)),
    [measure, i18n],
  );
  const code = useMemo(
    () => snippets(window.location.origin, toAggregateInput(state), session.me !== null),
    [state, session.me],
  );
  const d = result.disclosure;
  return (
    <section className="panel answer" aria-labelledby="answer-title" data-testid="answer">
      <h2 id="answer-title">{t('builder.answer', { n: result.rows.length })}</h2>
      <Facts
        items={[
          [t('builder.disclosureMethod'), d.method],
          [t('builder.threshold'), String(d.threshold)],
          [t('builder.suppressedCells'), String(d.suppressedCells)],
          ...(d.budgetRemaining !== null
            ? [[t('builder.budgetRemaining'), i18n.number(d.budgetRemaining)] as [string, string]]
            : []),
          [t('builder.licence'), result.licenseId ?? t('builder.noLicenceUsed')],
          [t('builder.auditEvent'), `#${result.auditEventId}`],
        ]}
      />
      <FlagLegend flags={flags} />
      <ResultTable result={result} rowCount={state.rows.length} dataset={dataset} />
      {spec && state.measures.length > 1 && (
        <Select
          label={t('builder.chartMeasure')}
          value={measure}
          onChange={setChartMeasure}
          options={state.measures.map((m) => [m, measureTitle(dataset, m, i18n)] as [string, string])}
        />
      )}
      {spec && <Chart spec={spec} title={measureTitle(dataset, measure, i18n)} format={format} />}
      <h3>{t('builder.citation')}</h3>
      <p className="citation" data-testid="citation">
        {result.citation}
      </p>
      <div className="actions">
        <button type="button" onClick={() => onDownload('csv')}>
          {t('builder.downloadCsv')}
        </button>
        <button type="button" onClick={() => onDownload('json')}>
          {t('builder.downloadJson')}
        </button>
      </div>
      <ErrorNotice error={downloadError} />
      <details className="snippets">
        <summary>{t('builder.sameQuery')}</summary>
        <p className="hint">{t('builder.snippetHint')}</p>
        <CopyBox label="GraphQL" text={code.graphql} />
        <CopyBox label="curl" text={code.curl} />
        <CopyBox label="Python" text={code.python} />
      </details>
    </section>
  );
}
