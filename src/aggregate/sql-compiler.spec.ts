import type { DatasetDefinition } from '../datasets/dataset.entity.js';
import { MemberDirectory } from '../catalog/member-directory.js';
import { AggregateQuery } from './query-plan.js';
import { MAX_RANKED_ROWS, MAX_RESULT_CELLS, planQuery } from './query-planner.js';
import { DIMENSIONS, MEASURES } from '../catalog/registry.js';
import { compileSql } from './sql-compiler.js';

const definition: DatasetDefinition = {
  source: 'cases',
  dimensions: DIMENSIONS.map((d) => ({
    ...d,
    levels: d.levels.map((l) => ({ code: l.code, titleZh: '', titleEn: '' })),
  })),
  measures: MEASURES.filter((m) => m.series === 'cases'),
  disclosure: { method: 'threshold', threshold: 10 },
};
const area = (code: string, level: string, parent: string | null) => ({
  code,
  level,
  parent_code: parent,
  name_zh: code,
  name_en: code,
});
const members = new MemberDirectory(
  [area('320000', 'province', null), area('320500', 'city', '320000'), area('320508', 'district', '320500')],
  [{ code: "ENV'; DROP TABLE case_record; --", level: '1', parent_code: null, name_zh: 'x', name_en: 'x' }],
  [],
  ['共享单车', '充电桩'],
);
const compile = (q: Partial<AggregateQuery>, rowScope = [] as Parameters<typeof compileSql>[1]) =>
  compileSql(
    planQuery({ slug: 'hotline-cases', definition }, { dataset: 'hotline-cases', measures: ['cases'], ...q }, members),
    rowScope,
  );

describe(compileSql.name, () => {
  it.each([
    [
      {
        groupBy: [
          { dimension: 'time', level: 'month' },
          { dimension: 'area', level: 'city' },
        ],
      },
      'rollup_cases_month_city',
    ],
    [{ filters: [{ dimension: 'time', from: '2021-01-01', to: '2021-03-31' }] }, 'rollup_cases_month_city'],
    [{ groupBy: [{ dimension: 'category', level: 'l1' }, { dimension: 'channel' }] }, 'rollup_cases_month'],
    [{ filters: [{ dimension: 'time', from: '2021-01-05', to: '2021-03-31' }] }, 'rollup_cases_day_city'],
    [{ groupBy: [{ dimension: 'time', level: 'week' }] }, 'rollup_cases_day_city'],
    [{ groupBy: [{ dimension: 'time', level: 'day' }, { dimension: 'kind' }] }, 'rollup_cases_day'],
    [{ groupBy: [{ dimension: 'time', level: 'hour' }, { dimension: 'channel' }] }, 'rollup_cases_hour'],
    [{ groupBy: [{ dimension: 'area', level: 'district' }] }, 'rollup_cases_month_area'],
    [{ groupBy: [{ dimension: 'area', level: 'street' }, { dimension: 'kind' }] }, 'rollup_cases_month_area'],
    [{ groupBy: [{ dimension: 'category', level: 'l3' }] }, 'rollup_cases_month_category'],
    [
      {
        groupBy: [
          { dimension: 'area', level: 'district' },
          { dimension: 'category', level: 'l2' },
        ],
      },
      'rollup_cases_month_mid',
    ],
    [{ groupBy: [{ dimension: 'outcome' }] }, 'rollup_cases_month_status'],
    [{ groupBy: [{ dimension: 'outcome' }, { dimension: 'category', level: 'l1' }] }, 'rollup_cases_month_dept_status'],
    [{ groupBy: [{ dimension: 'outcome' }, { dimension: 'channel' }] }, 'rollup_cases_fine'],
    [
      {
        groupBy: [
          { dimension: 'area', level: 'street' },
          { dimension: 'time', level: 'day' },
        ],
      },
      'rollup_cases_fine',
    ],
    [{ groupBy: [{ dimension: 'topic' }, { dimension: 'time', level: 'month' }] }, 'rollup_topics'],
    [{ filters: [{ dimension: 'topic', in: ['共享单车'] }] }, 'rollup_topics'],
    [{ groupBy: [{ dimension: 'department' }], measures: ['templateReplyShare'] }, 'rollup_cases_month'],
  ])('answers %j from the smallest cube that can (%s)', (q, cube) => {
    expect(compile(q as Partial<AggregateQuery>).cube).toBe(cube);
  });

  it('moves to a cube that keeps the department when a row scope needs it', () => {
    const scope = [{ dimension: 'department', level: 'department', in: ['320500-housing'], reason: 'test' }];
    const sut = compile({ groupBy: [{ dimension: 'time', level: 'hour' }] }, scope);
    expect(sut.cube).toBe('rollup_cases_fine');
    const departmentQuestions: [Partial<AggregateQuery>, string][] = [
      [{ groupBy: [{ dimension: 'category', level: 'l3' }] }, 'rollup_cases_month_dept_category'],
      [{ groupBy: [{ dimension: 'area', level: 'street' }] }, 'rollup_cases_month_dept_street'],
      [{ groupBy: [{ dimension: 'outcome' }, { dimension: 'kind' }] }, 'rollup_cases_month_dept_status'],
      [
        { groupBy: [{ dimension: 'satisfaction' }, { dimension: 'time', level: 'quarter' }] },
        'rollup_cases_month_dept_status',
      ],
      [{ groupBy: [{ dimension: 'area', level: 'street' }, { dimension: 'kind' }] }, 'rollup_cases_fine'],
    ];
    for (const [q, cube] of departmentQuestions) {
      expect([q, compile(q, scope).cube]).toEqual([q, cube]);
    }
    expect(sut.sql).toContain('department_code = ANY($1::text[])');
    expect(sut.params[0]).toEqual(['320500-housing']);
  });

  it('reads topics only from the topic vocabulary, and refuses what topic rows cannot answer', () => {
    const sut = compile({ groupBy: [{ dimension: 'topic' }], filters: [{ dimension: 'topic', in: ['充电桩'] }] });
    expect(sut.sql).toContain('keyword IN (SELECT keyword FROM topic_vocabulary)');
    expect(sut.sql).not.toContain('充电桩');
    expect(() => compile({ groupBy: [{ dimension: 'topic' }], measures: ['cases', 'solvedRate'] })).toThrow(
      /cannot be combined with dimension "topic"/,
    );
    expect(() => compile({ filters: [{ dimension: 'topic', in: ['共享单车', '充电桩'] }] })).toThrow(/group by topic/);
    expect(() => compile({ filters: [{ dimension: 'topic', in: ['张三'] }] })).toThrow(/not a topic keyword code/);
    expect(() => compile({ groupBy: [{ dimension: 'topic' }, { dimension: 'area', level: 'district' }] })).toThrow(
      /Topics are kept per month/,
    );
  });

  it('bounds a time list by a range on t as well, so indexes on t apply', () => {
    const sut = compile({ filters: [{ dimension: 'time', level: 'month', in: ['2021-06', '2021-03'] }] });
    expect(sut.sql).toContain(
      "date_trunc('month', t) = ANY($1::timestamp[]) AND t >= $2::timestamp AND t < $3::timestamp",
    );
    expect(sut.params.slice(0, 3)).toEqual([
      ['2021-06-01 00:00:00', '2021-03-01 00:00:00'],
      '2021-03-01 00:00:00',
      '2021-07-01 00:00:00',
    ]);
  });

  it('sends every caller value as a parameter, never inside the SQL text', () => {
    const sut = compile({
      filters: [
        { dimension: 'category', level: 'l1', in: ["ENV'; DROP TABLE case_record; --"] },
        { dimension: 'time', level: 'month', in: ['2021-03'] },
      ],
    });
    expect(sut.sql).not.toContain('DROP');
    expect(sut.sql).not.toContain('2021-03');
    expect(sut.params).toContainEqual(["ENV'; DROP TABLE case_record; --"]);
  });

  it('never orders or cuts by a measure in SQL: rows come in key order, every one of them up to the ranking cap', () => {
    const sut = compile({
      groupBy: [{ dimension: 'kind' }],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 3,
    });
    expect(sut.sql).toMatch(/ORDER BY k0 ASC LIMIT \$1::int$/);
    expect(sut.params).toEqual([MAX_RANKED_ROWS + 1]);
    const all = compile({ groupBy: [{ dimension: 'kind' }], measures: ['cases', 'avgHandlingDays'] });
    expect(all.params).toEqual([MAX_RESULT_CELLS / 2 + 1]);
  });

  it('reads record-key sums modulo 2^31, the cell key range', () => {
    const sut = compile({ groupBy: [{ dimension: 'kind' }], measures: ['cases', 'satisfactionRate'] });
    expect(sut.sql).toContain('(sum(record_key_sum) % 2147483648)::int8 AS b_record_key_sum');
    expect(sut.sql).toContain('(sum(satisfied_key) % 2147483648)::int8 AS b_satisfied_key');
    expect(sut.sql).toContain('sum(rated) AS b_rated');
  });
});

describe('union cells', () => {
  const plan = (q: Partial<AggregateQuery>) =>
    planQuery({ slug: 'hotline-cases', definition }, { dataset: 'hotline-cases', measures: ['cases'], ...q }, members);

  it('reads a filter over several members of a dimension not grouped as finely part by part', () => {
    expect(plan({ filters: [{ dimension: 'channel', in: ['phone', 'web'] }] }).unions).toEqual([
      expect.objectContaining({ kind: 'members' }),
    ]);
    expect(compile({ filters: [{ dimension: 'channel', in: ['phone', 'web'] }] }).sql).toMatch(
      /SELECT channel AS u0, .* GROUP BY 1 ORDER BY u0 ASC/,
    );
    // One member, or the dimension grouped at the filter's level: every cell is a cell of the lattice.
    expect(plan({ filters: [{ dimension: 'channel', in: ['phone'] }] }).unions).toEqual([]);
    expect(
      plan({ groupBy: [{ dimension: 'channel' }], filters: [{ dimension: 'channel', in: ['phone', 'web'] }] }).unions,
    ).toEqual([]);
  });

  it('reads a time range by its blocks, unless it only cuts at the time group boundaries', () => {
    const range = compile({ filters: [{ dimension: 'time', from: '2021-03-15', to: '2021-05' }] });
    expect(range.sql).toMatch(/width_bucket\(t, \$1::timestamp\[\]\)::text AS u0/);
    expect(
      plan({
        groupBy: [{ dimension: 'time', level: 'month' }],
        filters: [{ dimension: 'time', from: '2021-03', to: '2021-05' }],
      }).unions,
    ).toEqual([]);
    expect(
      plan({ groupBy: [{ dimension: 'time', level: 'month' }], filters: [{ dimension: 'time', from: '2021-03-15' }] })
        .unions,
    ).toHaveLength(1);
    // A range that is one whole period is one block.
    expect(plan({ filters: [{ dimension: 'time', from: '2021', to: '2021' }] }).unions).toEqual([]);
  });
});
