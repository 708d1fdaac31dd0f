import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { fetchDataset, fetchDatasets } from '../api/catalog';
import { gql, gqlRequest } from '../api/client';
import type { ApiKey, Dataset, Principal } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { AuditNote, ConfirmButton, ErrorNotice, Loading } from '../ui/common';

export function AdminPage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div>
      <section className="panel">
        <h1>{session.can('manage:Principal') ? t('admin.title') : t('admin.keysTitle')}</h1>
      </section>
      {session.can('manage:Principal') && <Principals />}
      {session.can('manage:ApiKey') && <ApiKeys />}
      {session.can('manage:Dataset') && <Publish />}
    </div>
  );
}

function TextField({
  label,
  value,
  onChange,
  required,
  type = 'text',
  hint,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  type?: string;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function SelectField({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: string[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

const PRINCIPAL_FIELDS = `id name role createdAt disabledAt oidcSubject organization { id kind nameZh nameEn departmentCode }`;

function Principals() {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [role, setRole] = useState('researcher');
  const [orgId, setOrgId] = useState('');
  const [orgKind, setOrgKind] = useState('university');
  const [orgZh, setOrgZh] = useState('');
  const [orgEn, setOrgEn] = useState('');
  const [deptCode, setDeptCode] = useState('');
  const [oidcSubject, setOidcSubject] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ principal: Principal; audit: string[] }[]>([]);
  const [disableId, setDisableId] = useState('');
  const [disableReason, setDisableReason] = useState('');
  const [disabled, setDisabled] = useState<{
    id: string;
    audit: string[];
    error?: unknown;
    operation: 'disablePrincipal' | 'enablePrincipal';
  } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: Record<string, unknown> = { name, role };
    if (orgId.trim()) input.organizationId = orgId.trim();
    else
      input.organization = {
        kind: orgKind,
        nameZh: orgZh,
        nameEn: orgEn,
        ...(deptCode.trim() ? { departmentCode: deptCode.trim() } : {}),
      };
    if (oidcSubject.trim()) input.oidcSubject = oidcSubject.trim();
    try {
      const answer = await gqlRequest<{ createPrincipal: Principal }>(
        `mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { ${PRINCIPAL_FIELDS} } }`,
        { i: input },
      );
      setCreated((c) => [{ principal: answer.data.createPrincipal, audit: answer.auditEventIds }, ...c]);
      setName('');
    } catch (err) {
      setError(err);
    }
  };

  const toggle = async (id: string, operation: 'disablePrincipal' | 'enablePrincipal') => {
    try {
      const answer = await gqlRequest<unknown>(
        `mutation($id: ID!, $reason: String) { ${operation}(id: $id, reason: $reason) { id disabledAt } }`,
        { id, reason: disableReason.trim() || null },
      );
      setDisabled({ id, audit: answer.auditEventIds, operation });
    } catch (err) {
      setDisabled({ id, audit: [], error: err, operation });
    }
  };

  return (
    <section className="panel" aria-labelledby="principals-title">
      <h2 id="principals-title">{t('admin.principals')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <div className="row-of-fields">
          <TextField label={t('admin.name')} value={name} onChange={setName} required />
          <SelectField
            label={t('admin.role')}
            value={role}
            onChange={setRole}
            options={['researcher', 'department', 'auditor', 'steward', 'journalist']}
          />
          <TextField label={t('admin.oidcSubject')} value={oidcSubject} onChange={setOidcSubject} />
        </div>
        <fieldset>
          <legend>{t('admin.organization')}</legend>
          <TextField label={t('admin.orgId')} value={orgId} onChange={setOrgId} hint={t('admin.orgIdHint')} />
          {!orgId.trim() && (
            <div className="row-of-fields">
              <SelectField
                label={t('admin.orgKind')}
                value={orgKind}
                onChange={setOrgKind}
                options={['university', 'institute', 'department', 'audit-office', 'hotline-centre']}
              />
              <TextField label={t('admin.orgZh')} value={orgZh} onChange={setOrgZh} required />
              <TextField label={t('admin.orgEn')} value={orgEn} onChange={setOrgEn} required />
              {orgKind === 'department' && (
                <TextField
                  label={t('admin.deptCode')}
                  value={deptCode}
                  onChange={setDeptCode}
                  required
                  hint="320500-housing"
                />
              )}
            </div>
          )}
        </fieldset>
        <button type="submit" className="primary">
          {t('admin.createPrincipal')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {created.length > 0 && (
        <ul className="created">
          {created.map(({ principal, audit }) => (
            <li key={principal.id}>
              {t('admin.created', { name: principal.name, role: principal.role, id: principal.id })}
              <AuditNote ids={audit} operation="createPrincipal" />
            </li>
          ))}
        </ul>
      )}
      <h3>{t('admin.disable')}</h3>
      <>
        <TextField label={t('admin.principalId')} value={disableId} onChange={setDisableId} />
        <TextField label={t('admin.disableReason')} value={disableReason} onChange={setDisableReason} />
        <ConfirmButton
          danger
          label={t('admin.disableButton')}
          disabled={disableId.trim() === ''}
          confirmText={t('admin.confirmDisable', { id: disableId.trim() })}
          onConfirm={() => toggle(disableId.trim(), 'disablePrincipal')}
        />
        <ConfirmButton
          label={t('admin.enableButton')}
          disabled={disableId.trim() === ''}
          confirmText={t('admin.confirmEnable', { id: disableId.trim() })}
          onConfirm={() => toggle(disableId.trim(), 'enablePrincipal')}
        />
        {disabled &&
          (disabled.error ? (
            <ErrorNotice error={disabled.error} />
          ) : (
            <>
              <p className="notice ok">
                {t(disabled.operation === 'disablePrincipal' ? 'admin.disabled' : 'admin.enabled', {
                  id: disabled.id,
                })}
              </p>
              <AuditNote ids={disabled.audit} operation={disabled.operation} />
            </>
          ))}
      </>
    </section>
  );
}

function ApiKeys() {
  const { t } = useI18n();
  const session = useSession();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [principalId, setPrincipalId] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [fresh, setFresh] = useState<{ apiKey: string; id: string; audit: string[] } | null>(null);
  const [revoked, setRevoked] = useState<{ id: string; audit: string[]; error?: unknown } | null>(null);
  const steward = session.can('manage:Principal');

  const load = useCallback(() => {
    gql<{ apiKeys: ApiKey[] }>(
      `{ apiKeys { id principalId name prefix scopes createdAt expiresAt revokedAt lastUsedAt } }`,
    ).then(
      (d) => setKeys(d.apiKeys),
      (err: unknown) => setError(err),
    );
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: Record<string, unknown> = { name };
    if (principalId.trim()) input.principalId = principalId.trim();
    if (expiresAt) input.expiresAt = new Date(expiresAt).toISOString();
    if (scopes.length > 0) input.scopes = scopes;
    try {
      const answer = await gqlRequest<{ createApiKey: { apiKey: string; key: ApiKey } }>(
        `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey key { id } } }`,
        { i: input },
      );
      setFresh({
        apiKey: answer.data.createApiKey.apiKey,
        id: answer.data.createApiKey.key.id,
        audit: answer.auditEventIds,
      });
      setName('');
      load();
    } catch (err) {
      setError(err);
    }
  };

  const revoke = async (id: string) => {
    try {
      const answer = await gqlRequest<unknown>(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id });
      setRevoked({ id, audit: answer.auditEventIds });
      load();
    } catch (err) {
      setRevoked({ id, audit: [], error: err });
    }
  };

  return (
    <section className="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('admin.keys')}</h2>
      <form onSubmit={(e) => void create(e)}>
        <div className="row-of-fields">
          <TextField label={t('admin.keyName')} value={name} onChange={setName} required />
          {steward && (
            <TextField
              label={t('admin.keyFor')}
              value={principalId}
              onChange={setPrincipalId}
              hint={t('admin.keyForHint')}
            />
          )}
          <TextField label={t('admin.expires')} value={expiresAt} onChange={setExpiresAt} type="datetime-local" />
        </div>
        <fieldset>
          <legend>{t('admin.scopes')}</legend>
          <p className="hint">{t('admin.scopesHint')}</p>
          {session.permissions.map((p) => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(p)}
                onChange={() => setScopes(scopes.includes(p) ? scopes.filter((x) => x !== p) : [...scopes, p])}
              />
              <code>{p}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary">
          {t('admin.createKey')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {fresh && (
        <div className="notice ok" role="status" data-testid="new-key">
          <p>{t('admin.keyOnce', { id: fresh.id })}</p>
          <p>
            <code className="secret">{fresh.apiKey}</code>
          </p>
          <AuditNote ids={fresh.audit} operation="createApiKey" />
          <button type="button" onClick={() => setFresh(null)}>
            {t('admin.keyStored')}
          </button>
        </div>
      )}
      {revoked &&
        (revoked.error ? (
          <ErrorNotice error={revoked.error} />
        ) : (
          <>
            <p className="notice ok">{t('admin.revoked', { id: revoked.id })}</p>
            <AuditNote ids={revoked.audit} operation="revokeApiKey" />
          </>
        ))}
      {keys === null && !error && <Loading />}
      {keys && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.keyName')}</th>
                <th scope="col">{t('admin.prefix')}</th>
                <th scope="col">{t('admin.principalId')}</th>
                <th scope="col">{t('admin.scopes')}</th>
                <th scope="col">{t('admin.expires')}</th>
                <th scope="col">{t('admin.lastUsed')}</th>
                <th scope="col">{t('admin.state')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}</code>
                  </td>
                  <td>
                    <code>{k.principalId.slice(0, 8)}</code>
                  </td>
                  <td>{k.scopes ? k.scopes.join(', ') : t('admin.allScopes')}</td>
                  <td>{k.expiresAt?.slice(0, 10) ?? '—'}</td>
                  <td>{k.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? '—'}</td>
                  <td>
                    {k.revokedAt ? (
                      t('admin.revokedAt', { at: k.revokedAt.slice(0, 10) })
                    ) : (
                      <ConfirmButton
                        danger
                        label={t('admin.revoke')}
                        confirmText={t('admin.confirmRevoke', { name: k.name, prefix: k.prefix })}
                        onConfirm={() => revoke(k.id)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface PublishDraft {
  slug: string;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  publisher: string;
  versionDate: string;
  classification: string;
  termsOfUse: string;
  source: string;
  disclosureMethod: string;
  disclosureThreshold: string;
  dimensions: { dimension: string; levels: string[] }[];
  measures: string[];
  published: boolean;
}

const EMPTY_DRAFT: PublishDraft = {
  slug: '',
  titleZh: '',
  titleEn: '',
  descriptionZh: '',
  descriptionEn: '',
  publisher: '',
  versionDate: new Date().toISOString().slice(0, 10),
  classification: 'open',
  termsOfUse: '',
  source: 'cases',
  disclosureMethod: 'cell-key',
  disclosureThreshold: '10',
  dimensions: [],
  measures: [],
  published: true,
};

function draftFrom(d: Dataset): PublishDraft {
  return {
    slug: d.slug,
    titleZh: d.titleZh,
    titleEn: d.titleEn,
    descriptionZh: d.descriptionZh,
    descriptionEn: d.descriptionEn,
    publisher: d.publisher,
    versionDate: new Date().toISOString().slice(0, 10),
    classification: d.classification,
    termsOfUse: d.termsOfUse,
    source: d.source,
    disclosureMethod: d.disclosure.method,
    disclosureThreshold: String(d.disclosure.threshold),
    dimensions: d.dimensions.map((x) => ({ dimension: x.code, levels: x.levels.map((l) => l.code) })),
    measures: d.measures.map((m) => m.code),
    published: d.published,
  };
}

/** publishDataset: start from an existing dataset (a new version) or from blank, edit, publish. */
function Publish() {
  const { t } = useI18n();
  const [datasets, setDatasets] = useState<{ slug: string }[]>([]);
  const [draft, setDraft] = useState<PublishDraft>(EMPTY_DRAFT);
  const [dimsText, setDimsText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ slug: string; audit: string[] } | null>(null);
  const startId = useId();
  const dimsId = useId();
  const measuresId = useId();
  const publishedId = useId();

  useEffect(() => {
    fetchDatasets().then(setDatasets, (err: unknown) => setError(err));
  }, []);

  const set = (patch: Partial<PublishDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const start = (slug: string) => {
    setDone(null);
    if (!slug) {
      setDraft(EMPTY_DRAFT);
      setDimsText('');
      return;
    }
    fetchDataset(slug).then(
      (d) => {
        if (!d) return;
        const next = draftFrom(d);
        setDraft(next);
        setDimsText(next.dimensions.map((x) => `${x.dimension}: ${x.levels.join(', ')}`).join('\n'));
      },
      (err: unknown) => setError(err),
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const dimensions = dimsText
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => {
        const [dimension, levels = ''] = line.split(':');
        return {
          dimension: dimension.trim(),
          levels: levels
            .split(',')
            .map((l) => l.trim())
            .filter((l) => l !== ''),
        };
      });
    const input = {
      slug: draft.slug,
      titleZh: draft.titleZh,
      titleEn: draft.titleEn,
      descriptionZh: draft.descriptionZh,
      descriptionEn: draft.descriptionEn,
      publisher: draft.publisher,
      versionDate: draft.versionDate,
      classification: draft.classification,
      termsOfUse: draft.termsOfUse,
      source: draft.source,
      dimensions,
      measures: draft.measures,
      disclosureMethod: draft.disclosureMethod,
      disclosureThreshold: Number(draft.disclosureThreshold),
      published: draft.published,
    };
    try {
      const answer = await gqlRequest<{ publishDataset: { slug: string } }>(
        `mutation($i: PublishDatasetInput!) { publishDataset(input: $i) { slug } }`,
        { i: input },
      );
      setDone({ slug: answer.data.publishDataset.slug, audit: answer.auditEventIds });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="panel" aria-labelledby="publish-title">
      <h2 id="publish-title">{t('admin.publish')}</h2>
      <div className="field">
        <label htmlFor={startId}>{t('admin.startFrom')}</label>
        <select id={startId} onChange={(e) => start(e.target.value)} defaultValue="">
          <option value="">{t('admin.blank')}</option>
          {datasets.map((d) => (
            <option key={d.slug} value={d.slug}>
              {d.slug}
            </option>
          ))}
        </select>
      </div>
      <form onSubmit={(e) => void submit(e)}>
        <div className="row-of-fields">
          <TextField label={t('catalog.slug')} value={draft.slug} onChange={(v) => set({ slug: v })} required />
          <TextField label={t('admin.titleZh')} value={draft.titleZh} onChange={(v) => set({ titleZh: v })} required />
          <TextField label={t('admin.titleEn')} value={draft.titleEn} onChange={(v) => set({ titleEn: v })} required />
          <TextField
            label={t('admin.descriptionZh')}
            value={draft.descriptionZh}
            onChange={(v) => set({ descriptionZh: v })}
            required
          />
          <TextField
            label={t('admin.descriptionEn')}
            value={draft.descriptionEn}
            onChange={(v) => set({ descriptionEn: v })}
            required
          />
          <TextField
            label={t('catalog.publisher')}
            value={draft.publisher}
            onChange={(v) => set({ publisher: v })}
            required
          />
          <TextField
            label={t('catalog.versionDate')}
            value={draft.versionDate}
            onChange={(v) => set({ versionDate: v })}
            type="date"
            required
          />
          <SelectField
            label={t('catalog.classification')}
            value={draft.classification}
            onChange={(v) => set({ classification: v })}
            options={['open', 'restricted', 'confidential']}
          />
          <SelectField
            label={t('catalog.source')}
            value={draft.source}
            onChange={(v) => set({ source: v })}
            options={['cases', 'traffic']}
          />
          <SelectField
            label={t('admin.disclosureMethod')}
            value={draft.disclosureMethod}
            onChange={(v) => set({ disclosureMethod: v })}
            options={['none', 'threshold', 'cell-key', 'differential-privacy']}
          />
          <TextField
            label={t('builder.threshold')}
            value={draft.disclosureThreshold}
            onChange={(v) => set({ disclosureThreshold: v })}
            type="number"
            required
          />
        </div>
        <TextField
          label={t('catalog.terms')}
          value={draft.termsOfUse}
          onChange={(v) => set({ termsOfUse: v })}
          required
        />
        <div className="field">
          <label htmlFor={dimsId}>{t('admin.dimensions')}</label>
          <textarea
            id={dimsId}
            rows={5}
            value={dimsText}
            onChange={(e) => setDimsText(e.target.value)}
            placeholder={'time: year, month\narea: province, city'}
            aria-describedby={`${dimsId}-hint`}
          />
          <p className="hint" id={`${dimsId}-hint`}>
            {t('admin.dimensionsHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor={measuresId}>{t('admin.measures')}</label>
          <input
            id={measuresId}
            value={draft.measures.join(', ')}
            onChange={(e) =>
              set({
                measures: e.target.value
                  .split(',')
                  .map((m) => m.trim())
                  .filter((m) => m !== ''),
              })
            }
          />
        </div>
        <label className="check" htmlFor={publishedId}>
          <input
            id={publishedId}
            type="checkbox"
            checked={draft.published}
            onChange={() => set({ published: !draft.published })}
          />
          {t('admin.published')}
        </label>
        <p className="hint">{t('admin.publishHint')}</p>
        <button type="submit" className="primary">
          {t('admin.publishButton')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {done && (
        <>
          <p className="notice ok" role="status">
            {t('admin.publishedDone', { slug: done.slug })}
          </p>
          <AuditNote ids={done.audit} operation="publishDataset" />
        </>
      )}
    </section>
  );
}
