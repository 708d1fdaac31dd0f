import { memo, useMemo } from 'react';
import type { AggregateCell, AggregateResult, Dataset } from '../api/types';
import { useI18n, type I18n } from '../i18n';
import { flagInfo, isShare } from './flags';
import { pivot } from './pivot';

export function dimensionTitle(dataset: Dataset | undefined, column: string, i18n: I18n): string {
  const [dim, level] = column.split('.');
  const d = dataset?.dimensions.find((x) => x.code === dim);
  if (!d) return column;
  const l = d.levels.find((x) => x.code === level);
  const dt = i18n.pick(d.titleZh, d.titleEn);
  return l && d.levels.length > 1 ? `${dt} (${i18n.pick(l.titleZh, l.titleEn)})` : dt;
}

export function measureTitle(dataset: Dataset | undefined, code: string, i18n: I18n): string {
  const m = dataset?.measures.find((x) => x.code === code);
  return m ? i18n.pick(m.titleZh, m.titleEn) : code;
}

export function formatValue(cell: AggregateCell | undefined, i18n: I18n): string {
  if (!cell || cell.value === null) return '';
  if (isShare(cell.measure)) return `${i18n.number(cell.value * 100, 1)}%`;
  return i18n.number(cell.value);
}

function Cell({ cell, i18n }: { cell: AggregateCell | undefined; i18n: I18n }) {
  if (!cell) return <td className="num empty" />;
  const flags = cell.flags.map(flagInfo);
  const suppressed = cell.flags.includes('suppressed');
  const classes = ['num', ...cell.flags.map((f) => `flag-${f.replace(/[^a-z0-9-]/gi, '')}`)].join(' ');
  return (
    <td className={classes} title={cell.flags.length > 0 ? cell.flags.join(', ') : undefined}>
      {suppressed ? <span aria-hidden="true">—</span> : formatValue(cell, i18n)}
      {flags.map((f) => (
        <sup key={f.name} className="flag-mark" aria-label={f.name}>
          {f.symbol}
        </sup>
      ))}
      {suppressed && <span className="visually-hidden">{i18n.t('flag.suppressedCell')}</span>}
    </td>
  );
}

/** The answer as a cross tab (rows × columns × measures), flagged cells marked. */
export const ResultTable = memo(function ResultTable({
  result,
  rowCount,
  dataset,
}: {
  result: AggregateResult;
  rowCount: number;
  dataset: Dataset | undefined;
}) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const table = useMemo(() => pivot(result, rowCount), [result, rowCount]);
  const spread = table.columnDimensions.length > 0;
  const label = (zh: string[], en: string[]) => zh.map((z, i) => pick(z, en[i])).join(' · ');
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={t('builder.resultTable')}>
      {table.flattened && <p className="hint">{t('builder.flattened')}</p>}
      <table className="result" data-testid="result-table">
        <caption className="visually-hidden">{t('builder.resultTable')}</caption>
        <thead>
          {spread && (
            <tr>
              {table.rowDimensions.map((d) => (
                <td key={d} />
              ))}
              {table.columns.map((c, ci) => (
                <th key={ci} scope="colgroup" colSpan={table.measures.length}>
                  {label(c.labelsZh, c.labelsEn)}
                </th>
              ))}
            </tr>
          )}
          <tr>
            {table.rowDimensions.map((d) => (
              <th key={d} scope="col">
                {dimensionTitle(dataset, d, i18n)}
              </th>
            ))}
            {table.columns.flatMap((_, ci) =>
              table.measures.map((m) => (
                <th key={`${ci}.${m}`} scope="col" className="num">
                  {measureTitle(dataset, m, i18n)}
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, ri) => (
            <tr key={ri}>
              {r.keys.map((k, i) => (
                <th key={i} scope="row">
                  {pick(r.labelsZh[i], r.labelsEn[i]) || k}
                </th>
              ))}
              {table.cells[ri].flatMap((col, ci) =>
                col.map((cell, mi) => <Cell key={`${ci}.${mi}`} cell={cell} i18n={i18n} />),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {result.rows.length === 0 && <p>{t('builder.noRows')}</p>}
    </div>
  );
});

/** One entry per flag the answer contains; flags this portal does not know are listed by name. */
export function FlagLegend({ flags }: { flags: string[] }) {
  const { t } = useI18n();
  if (flags.length === 0) return <p className="hint">{t('flag.none')}</p>;
  return (
    <div className="legend" aria-labelledby="legend-title">
      <h3 id="legend-title">{t('flag.legend')}</h3>
      <dl data-testid="flag-legend">
        {flags.map((name) => {
          const f = flagInfo(name);
          return (
            <div key={name} className={`legend-${name.replace(/[^a-z0-9-]/gi, '')}`}>
              <dt>
                <span aria-hidden="true" className="flag-mark">
                  {f.symbol}
                </span>{' '}
                <code>{name}</code>
              </dt>
              <dd>{f.text ? t(f.text) : t('flag.unknown')}</dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}
