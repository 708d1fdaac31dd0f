import { useId, useMemo, useState } from 'react';
import type { DimensionMember } from '../api/types';
import { useI18n } from '../i18n';

const SHOWN = 40;

/** A searchable member list (codes and both labels match), chosen members as removable chips. */
export function MemberPicker({
  label,
  members,
  selected,
  onChange,
}: {
  label: string;
  members: DimensionMember[];
  selected: string[];
  onChange: (codes: string[]) => void;
}) {
  const { t, pick } = useI18n();
  const [search, setSearch] = useState('');
  const searchId = useId();
  const listId = useId();
  const byCode = useMemo(() => new Map(members.map((m) => [m.code, m])), [members]);
  const matches = useMemo(() => {
    const q = search.trim().toLowerCase();
    const all = q
      ? members.filter(
          (m) =>
            m.code.toLowerCase().includes(q) ||
            m.labelZh.toLowerCase().includes(q) ||
            m.labelEn.toLowerCase().includes(q),
        )
      : members;
    return all;
  }, [members, search]);
  const toggle = (code: string) =>
    onChange(selected.includes(code) ? selected.filter((c) => c !== code) : [...selected, code]);
  return (
    <div className="member-picker">
      <label htmlFor={searchId}>{t('builder.searchMembers', { what: label })}</label>
      <input
        id={searchId}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        aria-controls={listId}
        placeholder={t('builder.searchPlaceholder')}
      />
      {selected.length > 0 && (
        <ul className="chips" aria-label={t('builder.chosen')}>
          {selected.map((code) => {
            const m = byCode.get(code);
            const name = m ? pick(m.labelZh, m.labelEn) : code;
            return (
              <li key={code}>
                <button
                  type="button"
                  className="chip"
                  onClick={() => toggle(code)}
                  aria-label={t('builder.removeMember', { name })}
                >
                  {name} ✕
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <fieldset id={listId} className="member-list">
        <legend className="visually-hidden">{label}</legend>
        {matches.slice(0, SHOWN).map((m) => (
          <label key={m.code} className="check">
            <input type="checkbox" checked={selected.includes(m.code)} onChange={() => toggle(m.code)} />
            {pick(m.labelZh, m.labelEn)} <code>{m.code}</code>
          </label>
        ))}
        {matches.length > SHOWN && <p className="hint">{t('builder.moreMembers', { n: matches.length - SHOWN })}</p>}
        {matches.length === 0 && <p className="hint">{t('builder.noMembers')}</p>}
      </fieldset>
    </div>
  );
}
