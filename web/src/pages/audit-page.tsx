import { useId, useState, type FormEvent } from 'react';
import { gql, saveText } from '../api/client';
import type { AuditEvent } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { CopyBox, ErrorNotice, Facts, Loading } from '../ui/common';

const EVENT_FIELDS = `id seq occurredAt principalId role organizationId apiKeyId licenseId operation datasetSlug query resultSize cellsSuppressed decision reason target requestId clientAddress prevHash hash`;
const EVENTS = `query($f: AuditEventFilter, $first: Int, $after: String) { auditEvents(filter: $f, first: $first, after: $after) { edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const PAGE = 50;

interface Filter {
  principalId: string;
  licenseId: string;
  datasetSlug: string;
  operation: string;
  decision: string;
  from: string;
  to: string;
}
const NO_FILTER: Filter = {
  principalId: '',
  licenseId: '',
  datasetSlug: '',
  operation: '',
  decision: '',
  from: '',
  to: '',
};

/** datetime-local (the browser's local time) to ISO-8601 UTC, as the API takes it. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function filterInput(f: Filter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['principalId', 'licenseId', 'datasetSlug', 'operation', 'decision'] as const) {
    if (f[k].trim()) out[k] = f[k].trim();
  }
  const from = toIso(f.from);
  const to = toIso(f.to);
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

interface Page {
  events: AuditEvent[];
  hasNext: boolean;
  endCursor: string | null;
}

export function AuditPage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div>
      <section className="panel">
        <h1>{t('audit.title')}</h1>
        <p>{t('audit.lead')}</p>
      </section>
      {session.can('read:AuditEvent') && <EventBrowser />}
      {session.can('verify:Audit') && <Integrity />}
      {session.can('verify:Audit') && <Checkpoints />}
    </div>
  );
}

function EventBrowser() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [applied, setApplied] = useState<Filter | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const ids = {
    principal: useId(),
    licence: useId(),
    dataset: useId(),
    operation: useId(),
    decision: useId(),
    from: useId(),
    to: useId(),
  };

  const fetchPage = async (f: Filter, after: string | null, append: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<{
        auditEvents: { edges: { node: AuditEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      }>(EVENTS, { f: filterInput(f), first: PAGE, after });
      const events = d.auditEvents.edges.map((e) => e.node);
      setPage((p) => ({
        events: append && p ? [...p.events, ...events] : events,
        hasNext: d.auditEvents.pageInfo.hasNextPage,
        endCursor: d.auditEvents.pageInfo.endCursor,
      }));
      setApplied(f);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    setSelected(null);
    void fetchPage(filter, null, false);
  };

  /** Pages through every event that matches the filter (each page read is itself audited) into JSON lines. */
  const exportAll = async () => {
    if (!applied) return;
    setError(null);
    const lines: string[] = [];
    let after: string | null = null;
    try {
      for (;;) {
        setExporting(t('audit.exporting', { n: lines.length }));
        const d: {
          auditEvents: { edges: { node: AuditEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        } = await gql(EVENTS, { f: filterInput(applied), first: 500, after });
        for (const e of d.auditEvents.edges) lines.push(JSON.stringify(e.node));
        if (!d.auditEvents.pageInfo.hasNextPage || !d.auditEvents.pageInfo.endCursor) break;
        after = d.auditEvents.pageInfo.endCursor;
      }
      saveText('audit-events.jsonl', 'application/x-ndjson', lines.join('\n') + '\n');
    } catch (err) {
      setError(err);
    } finally {
      setExporting(null);
    }
  };

  const field = (key: keyof Filter, id: string, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={filter[key]}
        onChange={(e) => setFilter({ ...filter, [key]: e.target.value })}
      />
    </div>
  );

  return (
    <section className="panel" aria-labelledby="events-title">
      <h2 id="events-title">{t('audit.events')}</h2>
      <form onSubmit={search} className="audit-filter">
        <div className="row-of-fields">
          {field('principalId', ids.principal, t('audit.principal'))}
          {field('licenseId', ids.licence, t('audit.licence'))}
          {field('datasetSlug', ids.dataset, t('audit.dataset'))}
          {field('operation', ids.operation, t('audit.operation'))}
          <div className="field">
            <label htmlFor={ids.decision}>{t('audit.decision')}</label>
            <select
              id={ids.decision}
              value={filter.decision}
              onChange={(e) => setFilter({ ...filter, decision: e.target.value })}
            >
              <option value="">{t('audit.any')}</option>
              <option value="allowed">allowed</option>
              <option value="denied">denied</option>
            </select>
          </div>
          {field('from', ids.from, t('audit.from'), 'datetime-local')}
          {field('to', ids.to, t('audit.to'), 'datetime-local')}
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('audit.search')}
          </button>
          <button type="button" onClick={() => setFilter(NO_FILTER)}>
            {t('audit.clear')}
          </button>
          {page && page.events.length > 0 && (
            <button type="button" onClick={() => void exportAll()} disabled={exporting !== null}>
              {exporting ?? t('audit.export')}
            </button>
          )}
        </div>
      </form>
      <p className="hint">{t('audit.exportHint')}</p>
      <ErrorNotice error={error} />
      {busy && <Loading />}
      {page && (
        <>
          <p>{t('audit.shown', { n: page.events.length })}</p>
          <div className="table-wrap">
            <table data-testid="audit-events">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.principal')}</th>
                  <th scope="col">{t('audit.operation')}</th>
                  <th scope="col">{t('audit.dataset')}</th>
                  <th scope="col">{t('audit.licence')}</th>
                  <th scope="col">{t('audit.decision')}</th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((e) => (
                  <tr key={e.id} className={selected?.id === e.id ? 'selected' : undefined}>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(e)}>
                        {t('audit.open', { seq: e.seq })}
                      </button>
                    </td>
                    <td>{e.occurredAt.replace('T', ' ').slice(0, 19)}</td>
                    <td>
                      {e.role}
                      {e.principalId ? ` · ${e.principalId.slice(0, 8)}` : ''}
                    </td>
                    <td>{e.operation}</td>
                    <td>{e.datasetSlug ?? ''}</td>
                    <td>{e.licenseId ?? ''}</td>
                    <td className={`decision-${e.decision}`}>{e.decision}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.hasNext && applied && (
            <button type="button" disabled={busy} onClick={() => void fetchPage(applied, page.endCursor, true)}>
              {t('audit.older')}
            </button>
          )}
        </>
      )}
      {selected && <EventDetail event={selected} onClose={() => setSelected(null)} />}
    </section>
  );
}

function prettyQuery(query: string | null): string {
  if (!query) return '';
  try {
    return JSON.stringify(JSON.parse(query), null, 2);
  } catch {
    return query;
  }
}

function EventDetail({ event, onClose }: { event: AuditEvent; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <div
      className="event-detail"
      role="region"
      aria-label={t('audit.detail', { seq: event.seq })}
      data-testid="event-detail"
    >
      <h3>{t('audit.detail', { seq: event.seq })}</h3>
      <Facts
        items={[
          [t('audit.time'), event.occurredAt],
          [t('audit.principal'), event.principalId ?? '—'],
          [t('audit.role'), event.role],
          [t('audit.organization'), event.organizationId ?? '—'],
          [t('audit.apiKey'), event.apiKeyId ?? '—'],
          [t('audit.operation'), event.operation],
          [t('audit.dataset'), event.datasetSlug ?? '—'],
          [t('audit.licence'), event.licenseId ?? '—'],
          [t('audit.decision'), event.decision],
          [t('audit.reason'), event.reason ?? '—'],
          [t('audit.target'), event.target ?? '—'],
          [t('audit.rows'), event.resultSize === null ? '—' : String(event.resultSize)],
          [t('audit.suppressed'), event.cellsSuppressed === null ? '—' : String(event.cellsSuppressed)],
          [t('audit.requestId'), event.requestId ?? '—'],
          [t('audit.address'), event.clientAddress ?? '—'],
          [t('audit.prevHash'), <code key="p">{event.prevHash}</code>],
          [t('audit.hash'), <code key="h">{event.hash}</code>],
        ]}
      />
      {event.query && <CopyBox label={t('audit.query')} text={prettyQuery(event.query)} />}
      <button type="button" onClick={onClose}>
        {t('common.close')}
      </button>
    </div>
  );
}

interface IntegrityResult {
  ok: boolean;
  firstBrokenSeq: number | null;
  reason: string | null;
  eventsChecked: number;
  lastSeq: number;
  headHash: string;
  checkpointsChecked: number;
  lastCheckpointSeq: number | null;
  unanchoredEvents: number;
  checkedAt: string;
  durationMs: number;
}

function Integrity() {
  const { t, number } = useI18n();
  const [result, setResult] = useState<IntegrityResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<{ auditIntegrity: IntegrityResult }>(
        `{ auditIntegrity { ok firstBrokenSeq reason eventsChecked lastSeq headHash checkpointsChecked lastCheckpointSeq unanchoredEvents checkedAt durationMs } }`,
      );
      setResult(d.auditIntegrity);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="integrity-title">
      <h2 id="integrity-title">{t('audit.integrity')}</h2>
      <p>{t('audit.integrityLead')}</p>
      <button type="button" className="primary" onClick={() => void check()} disabled={busy}>
        {t('audit.runCheck')}
      </button>
      {busy && <Loading />}
      <ErrorNotice error={error} />
      {result && (
        <div data-testid="integrity-result">
          <p className={`notice ${result.ok ? 'ok' : 'error'}`} role="status">
            {result.ok
              ? t('audit.intact', { n: number(result.eventsChecked) })
              : t('audit.broken', { seq: result.firstBrokenSeq ?? '?', reason: result.reason ?? '' })}
          </p>
          <Facts
            items={[
              [t('audit.eventsChecked'), number(result.eventsChecked)],
              [t('audit.lastSeq'), String(result.lastSeq)],
              [t('audit.headHash'), <code key="h">{result.headHash}</code>],
              [t('audit.checkpointsChecked'), number(result.checkpointsChecked)],
              [t('audit.lastCheckpoint'), result.lastCheckpointSeq === null ? '—' : String(result.lastCheckpointSeq)],
              [t('audit.unanchored'), number(result.unanchoredEvents)],
              [t('audit.checkedAt'), result.checkedAt],
              [t('audit.duration'), `${number(result.durationMs)} ms`],
            ]}
          />
        </div>
      )}
    </section>
  );
}

interface CheckpointList {
  publicKeyPem: string | null;
  keyId: string | null;
  checkpoints: { seq: number; headHash: string; createdAt: string; keyId: string; signature: string }[];
}

function Checkpoints() {
  const { t } = useI18n();
  const [data, setData] = useState<CheckpointList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    setError(null);
    gql<{ auditCheckpoints: CheckpointList }>(
      `{ auditCheckpoints(first: 50) { publicKeyPem keyId checkpoints { seq headHash createdAt keyId signature } } }`,
    ).then(
      (d) => setData(d.auditCheckpoints),
      (err: unknown) => setError(err),
    );
  };
  return (
    <section className="panel" aria-labelledby="checkpoints-title">
      <h2 id="checkpoints-title">{t('audit.checkpoints')}</h2>
      <button type="button" onClick={load}>
        {t('audit.loadCheckpoints')}
      </button>
      <ErrorNotice error={error} />
      {data && (
        <>
          {data.publicKeyPem && (
            <CopyBox label={t('audit.publicKey', { id: data.keyId ?? '' })} text={data.publicKeyPem} />
          )}
          {data.checkpoints.length === 0 && <p>{t('audit.noCheckpoints')}</p>}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('audit.seq')}</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.headHash')}</th>
                  <th scope="col">{t('audit.signature')}</th>
                </tr>
              </thead>
              <tbody>
                {data.checkpoints.map((c) => (
                  <tr key={c.seq}>
                    <td>{c.seq}</td>
                    <td>{c.createdAt.replace('T', ' ').slice(0, 19)}</td>
                    <td>
                      <code className="hash">{c.headHash}</code>
                    </td>
                    <td>
                      <code className="hash">{c.signature}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
