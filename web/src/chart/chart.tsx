import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import type { ChartSpec } from './chart-spec';

type ECharts = (typeof import('./echarts-setup'))['echarts'];
let loading: Promise<ECharts> | undefined;
function loadEcharts(): Promise<ECharts> {
  loading ??= import('./echarts-setup').then((m) => m.echarts);
  return loading;
}

/** A tooltip built from DOM text nodes: labels never pass through HTML parsing. */
function tooltipNode(lines: string[]): HTMLElement {
  const box = document.createElement('div');
  for (const line of lines) {
    const p = document.createElement('div');
    p.textContent = line;
    box.append(p);
  }
  return box;
}

/** Lines for time, bars for categories; flagged points (e.g. surge hours) drawn in the warning colour. */
export function Chart({
  spec,
  title,
  format,
  highlightFlag,
}: {
  spec: ChartSpec;
  title: string;
  format: (v: number) => string;
  highlightFlag?: string;
}) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let disposed = false;
    let chart: ReturnType<ECharts['init']> | undefined;
    let observer: ResizeObserver | undefined;
    loadEcharts().then(
      (echarts) => {
        if (disposed || !box.current) return;
        chart = echarts.init(box.current, undefined, { renderer: 'canvas' });
        const marked = (flags: string[]) =>
          highlightFlag ? flags.includes(highlightFlag) : flags.some((f) => f !== 'perturbed' && f !== 'rounded');
        chart.setOption({
          animation: false,
          grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
          legend: { type: 'scroll', top: 0 },
          tooltip: {
            trigger: 'axis',
            formatter: (params: unknown) => {
              const list = (Array.isArray(params) ? params : [params]) as {
                axisValueLabel?: string;
                seriesName?: string;
                value?: unknown;
                data?: { flags?: string[] };
              }[];
              const lines = [String(list[0]?.axisValueLabel ?? '')];
              for (const p of list) {
                const v = typeof p.value === 'number' ? format(p.value) : '—';
                const flags = p.data?.flags?.length ? ` (${p.data.flags.join(', ')})` : '';
                lines.push(`${p.seriesName ?? ''}: ${v}${flags}`);
              }
              return tooltipNode(lines);
            },
          },
          xAxis: { type: 'category', data: spec.categories, axisLabel: { hideOverlap: true } },
          yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) } },
          series: spec.series.map((s) => ({
            type: spec.kind,
            name: s.name || title,
            connectNulls: false,
            data: s.points.map((p) => ({
              value: p.value,
              flags: p.flags,
              ...(marked(p.flags) ? { itemStyle: { color: '#c2410c' }, symbolSize: 9, symbol: 'triangle' } : {}),
            })),
          })),
        });
        observer = new ResizeObserver(() => chart?.resize());
        observer.observe(box.current);
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      observer?.disconnect();
      chart?.dispose();
    };
  }, [spec, title, format, highlightFlag]);

  if (failed) return <p className="hint">{t('chart.failed')}</p>;
  return (
    <figure className="chart">
      <div ref={box} className="chart-box" role="img" aria-label={t('chart.aria', { title })} />
      <figcaption>
        {title}
        {spec.omittedSeries > 0 && ` · ${t('chart.omitted', { n: spec.omittedSeries })}`}
      </figcaption>
    </figure>
  );
}
