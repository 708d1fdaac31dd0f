import { useId, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';

const CODE_TITLES: Record<string, MessageKey> = {
  UNAUTHENTICATED: 'error.UNAUTHENTICATED',
  FORBIDDEN: 'error.FORBIDDEN',
  BAD_USER_INPUT: 'error.BAD_USER_INPUT',
  LICENSE_REQUIRED: 'error.LICENSE_REQUIRED',
  LICENSE_INACTIVE: 'error.LICENSE_INACTIVE',
  OUT_OF_LICENSE_SCOPE: 'error.OUT_OF_LICENSE_SCOPE',
  QUOTA_EXCEEDED: 'error.QUOTA_EXCEEDED',
  QUERY_TOO_COMPLEX: 'error.QUERY_TOO_COMPLEX',
  SERVICE_UNAVAILABLE: 'error.SERVICE_UNAVAILABLE',
  NETWORK: 'error.NETWORK',
};

/** An error in words: what kind of refusal it is, then the gateway's own message (which names the rule). */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const titleKey = CODE_TITLES[code];
  return (
    <div className="notice error" role="alert">
      <p className="notice-title">
        {titleKey ? t(titleKey) : t('error.generic')} <code>{code}</code>
      </p>
      <p className="server-reason">{message}</p>
    </div>
  );
}

/** The audit events a change recorded, as the gateway reports them. */
export function AuditNote({ ids, operation }: { ids: string[]; operation: string }) {
  const { t } = useI18n();
  if (ids.length === 0) return null;
  return (
    <p className="notice ok audit-note" role="status">
      {t('audit.recorded', { operation, ids: ids.map((i) => '#' + i).join(', ') })}
    </p>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** A confirmation step before a change: the action's words, then Confirm / Cancel. */
export function ConfirmButton({
  label,
  confirmText,
  onConfirm,
  danger,
  disabled,
}: {
  label: string;
  confirmText: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  if (!asking) {
    return (
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby={id}>
      <p id={id}>{confirmText}</p>
      <button
        type="button"
        className={danger ? 'danger' : 'primary'}
        disabled={busy}
        autoFocus
        onClick={() => {
          setBusy(true);
          void Promise.resolve(onConfirm()).finally(() => {
            setBusy(false);
            setAsking(false);
          });
        }}
      >
        {t('common.confirm')}
      </button>
      <button type="button" onClick={() => setAsking(false)} disabled={busy}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A labelled read-only pair list. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Text that can be copied, in a labelled read-only box. */
export function CopyBox({ label, text }: { label: string; text: string }) {
  const { t } = useI18n();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copybox">
      <div className="copybox-head">
        <label htmlFor={id}>{label}</label>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
      <textarea id={id} readOnly value={text} rows={Math.min(16, text.split('\n').length + 1)} spellCheck={false} />
    </div>
  );
}
