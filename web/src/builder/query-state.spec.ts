import {
  EMPTY_STATE,
  columnOf,
  fitToCatalog,
  isRunnable,
  missingParts,
  parseState,
  serializeState,
  toAggregateInput,
  type BuilderState,
  type CatalogShape,
} from './query-state';

const CATALOG: CatalogShape = {
  dimensions: [
    { code: 'time', levels: [{ code: 'year' }, { code: 'month' }] },
    { code: 'area', levels: [{ code: 'province' }, { code: 'city' }, { code: 'district' }] },
    { code: 'kind', levels: [{ code: 'kind' }] },
  ],
  measures: [{ code: 'cases' }, { code: 'solvedRate' }],
};

const FULL: BuilderState = {
  dataset: 'hotline-cases',
  rows: [
    { dimension: 'area', level: 'district' },
    { dimension: 'time', level: 'month' },
  ],
  columns: [{ dimension: 'kind', level: 'kind' }],
  measures: ['cases', 'solvedRate'],
  filters: [
    { dimension: 'area', level: 'city', in: ['320500', '320100'] },
    { dimension: 'kind', level: 'kind', in: ['complaint'] },
  ],
  timeFrom: '2021-01',
  timeTo: '2021-12',
  order: { field: 'cases', direction: 'DESC' },
  limit: 25,
  licenseId: 'L-1',
};

describe('builder query state', () => {
  it('survives a round trip through the URL unchanged', () => {
    const query = serializeState(FULL);
    const { state, problems } = parseState('?' + query);
    expect(problems).toEqual([]);
    expect(state).toEqual(FULL);
    expect(serializeState(state)).toBe(query);
  });

  it('writes a readable, stable query string', () => {
    expect(decodeURIComponent(serializeState(FULL))).toBe(
      'ds=hotline-cases&r=area.district,time.month&c=kind.kind&m=cases,solvedRate' +
        '&f=area.city:320500|320100&f=kind.kind:complaint&from=2021-01&to=2021-12&o=cases:desc&n=25&lic=L-1',
    );
    expect(serializeState(EMPTY_STATE)).toBe('');
  });

  it('never carries a credential: unknown parameters (e.g. a pasted key) are dropped, not re-serialized', () => {
    const { state } = parseState('?ds=hotline-cases-open&m=cases&key=hgw_secret&token=abc&access_token=x');
    const out = serializeState(state);
    expect(out).toBe('ds=hotline-cases-open&m=cases');
    expect(out).not.toMatch(/hgw_|secret|token/);
  });

  it('reads one-level dimensions written without a level', () => {
    const { state } = parseState('?ds=x&r=kind&m=cases');
    expect(state.rows).toEqual([{ dimension: 'kind', level: 'kind' }]);
  });

  it('says what it could not read and keeps the rest', () => {
    const { state, problems } = parseState(
      '?ds=hotline-cases&r=area.city,bad..axis&m=cases,no%20spaces&f=area.city&f=time.year:2021&from=March&o=cases:sideways&n=0&lic=L 1',
    );
    expect(state.dataset).toBe('hotline-cases');
    expect(state.rows).toEqual([{ dimension: 'area', level: 'city' }]);
    expect(state.measures).toEqual(['cases']);
    expect(state.filters).toEqual([]);
    expect(state.timeFrom).toBe('');
    expect(state.order).toBeNull();
    expect(state.limit).toBeNull();
    expect(state.licenseId).toBe('');
    expect(problems).toEqual([
      'row "bad..axis" is not dimension.level',
      'measure "no spaces" is not a measure code',
      'filter "area.city" is not dimension.level:code|code',
      'time is filtered with from= and to=, not f=',
      'from "March" is not a time code such as 2021, 2021-Q1, 2021-03 or 2021-03-15',
      'order "cases:sideways" is not field:asc or field:desc',
      'limit "0" is not a whole number from 1 to 10000',
      'licence "L 1" is not a licence id',
    ]);
  });

  it('merges repeated filters on the same level and removes duplicate members', () => {
    const { state } = parseState('?ds=x&m=cases&f=area.city:1|2&f=area.city:2|3');
    expect(state.filters).toEqual([{ dimension: 'area', level: 'city', in: ['1', '2', '3'] }]);
  });

  it('accepts every time code the API takes', () => {
    for (const code of ['2021', '2021-Q3', '2021-03', '2021-W09', '2021-03-15', '2021-03-15T14']) {
      expect(parseState(`?from=${code}`).state.timeFrom).toBe(code);
    }
    expect(parseState('?from=2021-3').problems).toHaveLength(1);
  });

  it('becomes the AggregateQueryInput the API takes: rows then columns as groupBy, time as a range filter', () => {
    expect(toAggregateInput(FULL)).toEqual({
      dataset: 'hotline-cases',
      measures: ['cases', 'solvedRate'],
      groupBy: [
        { dimension: 'area', level: 'district' },
        { dimension: 'time', level: 'month' },
        { dimension: 'kind', level: 'kind' },
      ],
      filters: [
        { dimension: 'area', level: 'city', in: ['320500', '320100'] },
        { dimension: 'kind', level: 'kind', in: ['complaint'] },
        { dimension: 'time', from: '2021-01', to: '2021-12' },
      ],
      licenseId: 'L-1',
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 25,
    });
  });

  it('leaves empty parts out of the API input (no empty filters, no open range bound)', () => {
    const input = toAggregateInput({
      ...EMPTY_STATE,
      dataset: 'hotline-cases-open',
      measures: ['cases'],
      filters: [{ dimension: 'area', level: 'city', in: [] }],
      timeTo: '2022',
    });
    expect(input).toEqual({
      dataset: 'hotline-cases-open',
      measures: ['cases'],
      filters: [{ dimension: 'time', to: '2022' }],
    });
  });

  it('is runnable only with a dataset and a measure, and says what is missing', () => {
    expect(missingParts(EMPTY_STATE)).toEqual(['dataset', 'measure']);
    expect(isRunnable({ ...EMPTY_STATE, dataset: 'x' })).toBe(false);
    expect(isRunnable({ ...EMPTY_STATE, dataset: 'x', measures: ['cases'] })).toBe(true);
  });

  it('fits a link to the dataset: drops what it does not publish, and an order on a dropped field', () => {
    const { state, problems } = fitToCatalog(
      {
        ...FULL,
        rows: [
          { dimension: 'area', level: 'street' },
          { dimension: 'time', level: 'month' },
        ],
        columns: [
          { dimension: 'time', level: 'year' },
          { dimension: 'channel', level: 'channel' },
        ],
        measures: ['cases', 'p90HandlingDays'],
        filters: [{ dimension: 'topic', level: 'keyword', in: ['noise'] }],
        order: { field: 'p90HandlingDays', direction: 'ASC' },
      },
      CATALOG,
    );
    expect(state.rows).toEqual([{ dimension: 'time', level: 'month' }]);
    expect(state.columns).toEqual([]);
    expect(state.measures).toEqual(['cases']);
    expect(state.filters).toEqual([]);
    expect(state.order).toBeNull();
    expect(problems).toEqual([
      'row area.street is not published in this dataset',
      'time is grouped twice; kept the first',
      'column channel.channel is not published in this dataset',
      'measure p90HandlingDays is not published in this dataset',
      'filter on topic.keyword is not possible in this dataset',
      'order by p90HandlingDays: not a chosen measure or grouped dimension',
    ]);
  });

  it('names one-level dimensions as the API does (kind, not kind.kind) when checking the order field', () => {
    const byKind: BuilderState = { ...FULL, order: { field: 'kind', direction: 'DESC' } };
    expect(fitToCatalog(byKind, CATALOG)).toEqual({ state: byKind, problems: [] });
    const wrong = fitToCatalog({ ...FULL, order: { field: 'kind.kind', direction: 'DESC' } }, CATALOG);
    expect(wrong.state.order).toBeNull();
    expect(columnOf({ dimension: 'area', level: 'city' }, CATALOG)).toBe('area.city');
    expect(columnOf({ dimension: 'kind', level: 'kind' }, CATALOG)).toBe('kind');
  });

  it('keeps a state that fits as it is', () => {
    const fitting: BuilderState = { ...FULL, order: { field: 'area.district', direction: 'ASC' } };
    expect(fitToCatalog(fitting, CATALOG)).toEqual({ state: fitting, problems: [] });
  });
});
