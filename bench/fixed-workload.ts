/**
 * The fixed replay: 20 request bodies replayed in turn (the benchmark's first workload). After warm-up
 * every request is a result-cache hit, asked with bench-only tokens (bench/server.ts), none licensed:
 * a ceiling of the cached path, reported on a line of its own next to the realistic mix.
 */
import type { AggregateQuery } from '../src/aggregate/query-plan.js';

const Y = { dimension: 'time', from: '2021-01', to: '2021-12' };
const SZ = { dimension: 'area', level: 'city', in: ['320500'] };
/** What departments, researchers and the public ask most, as 20 fixed questions. */
export const FIXED_WORKLOAD: { token?: string; query: AggregateQuery }[] = [
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases'],
      filters: [Y],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'category', level: 'l1' }],
      measures: ['cases', 'avgHandlingDays'],
      filters: [SZ, Y],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'area', level: 'city' }],
      measures: ['consultationShare', 'solvedRate', 'satisfactionRate'],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'channel' }, { dimension: 'time', level: 'quarter' }],
      measures: ['cases'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'district' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases', 'avgHandlingDays'],
      filters: [SZ],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l2' }],
      measures: ['cases'],
      filters: [{ dimension: 'area', level: 'city', in: ['320100'] }],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 10,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'department' }],
      measures: ['cases', 'onTimeRate', 'solvedRate'],
      filters: [SZ],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 20,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'kind' }],
      measures: ['medianHandlingDays', 'p90HandlingDays'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'quarter' },
      ],
      measures: ['satisfactionRate'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l1' }],
      measures: ['repeatRate', 'cases'],
      filters: [{ dimension: 'time', level: 'quarter', in: ['2021-Q2'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'hour' }],
      measures: ['cases'],
      filters: [SZ, { dimension: 'time', level: 'day', in: ['2021-03-15'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'day' },
      ],
      measures: ['cases'],
      filters: [{ dimension: 'time', from: '2021-03-01', to: '2021-03-31' }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'week' }],
      measures: ['cases', 'onTimeRate'],
      filters: [{ dimension: 'category', level: 'l1', in: ['C3'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'area', level: 'street' }],
      measures: ['cases'],
      filters: [{ dimension: 'area', level: 'district', in: ['320501'] }, Y],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 20,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'outcome' }, { dimension: 'kind' }],
      measures: ['cases'],
      filters: [SZ, { dimension: 'time', level: 'month', in: ['2021-06'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['answerRate', 'callsOffered'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [{ dimension: 'time', level: 'hour' }],
      measures: ['callsOffered', 'answerRate'],
      filters: [SZ, { dimension: 'time', level: 'day', in: ['2021-03-15'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [{ dimension: 'time', level: 'day' }],
      measures: ['answerRate'],
      filters: [
        { dimension: 'area', level: 'city', in: ['320200'] },
        { dimension: 'time', from: '2021-Q1', to: '2021-Q1' },
      ],
    },
  },
  {
    token: 'bench-department-320500-d3',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'month' }],
      measures: ['cases', 'avgHandlingDays', 'onTimeRate'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l3' }],
      measures: ['p90HandlingDays', 'cases'],
      filters: [SZ, { dimension: 'time', level: 'month', in: ['2021-09'] }],
      orderBy: [{ field: 'p90HandlingDays', direction: 'DESC' }],
      limit: 10,
    },
  },
];
