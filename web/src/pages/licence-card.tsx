import type { License } from '../api/types';
import { useI18n } from '../i18n';
import { Facts } from '../ui/common';

/** Reads the last budget the builder saw for a licence and dataset (the API reports it with each answer). */
function lastBudget(licenseId: string, dataset: string): string | null {
  try {
    return sessionStorage.getItem(`hgw.budget.${licenseId}.${dataset}`);
  } catch {
    return null;
  }
}

export function LicenceCard({ licence, children }: { licence: License; children?: React.ReactNode }) {
  const { t, tOr, number } = useI18n();
  const u = licence.usage;
  return (
    <article className={`licence status-${licence.status}`} data-testid={`licence-${licence.id}`}>
      <h3>
        {licence.id}{' '}
        <span className={`badge status-${licence.status}`}>{tOr(`status.${licence.status}`, licence.status)}</span>
      </h3>
      <p className="purpose">{licence.purpose}</p>
      <Facts
        items={[
          [t('licence.kind'), licence.kind],
          [t('licence.valid'), `${licence.validFrom} – ${licence.validTo}`],
          [t('licence.licensee'), licence.licenseeId],
          [t('licence.requestedAt'), licence.requestedAt.slice(0, 16).replace('T', ' ')],
          ...(licence.statusReason ? [[t('licence.reason'), licence.statusReason] as [string, string]] : []),
          [
            t('licence.quotaToday'),
            t('licence.quotaValue', {
              used: number(u.usedToday),
              quota: number(u.dailyQuota),
              left: number(u.remainingToday),
              resets: u.resetsAt.slice(0, 16).replace('T', ' '),
            }),
          ],
          [t('licence.totalQueries'), number(u.total)],
          [t('licence.obligations'), licence.obligations.map((o) => o.code).join(', ')],
        ]}
      />
      <ul className="scopes">
        {licence.datasets.map((d) => {
          const budget = lastBudget(licence.id, d.dataset);
          return (
            <li key={d.dataset}>
              <code>{d.dataset}</code>: {d.dimensions.map((x) => `${x.dimension} ≤ ${x.level}`).join(', ')}
              {d.cities && ` · ${t('licence.cities')} ${d.cities.join(', ')}`}
              {d.departments && ` · ${t('licence.departments')} ${d.departments.join(', ')}`}
              {(d.periodFrom || d.periodTo) &&
                ` · ${t('licence.period')} ${d.periodFrom ?? '…'} – ${d.periodTo ?? '…'}`}
              {budget !== null && ` · ${t('licence.lastBudget', { n: budget })}`}
            </li>
          );
        })}
      </ul>
      {children}
    </article>
  );
}
