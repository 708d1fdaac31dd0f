#!/usr/bin/env node
// What disclosure control costs on a running gateway's data: each query is asked once as a
// protected caller (the public, or a licensed researcher) and once as the steward, who gets exact
// values, and the answers are compared cell by cell.
//
//   G=http://127.0.0.1:3000/graphql STEWARD=hgw_... RESEARCHER=hgw_... LICENSE=L-1 \
//     node scripts/measure-disclosure-cost.mjs
//
// Prints one line per query and a total: rows listed, counts of 100 or more (median relative
// error), rates (median and largest absolute error), and values withheld.
const G = process.env.G ?? 'http://127.0.0.1:3000/graphql';
const { STEWARD, RESEARCHER } = process.env;
const LICENSE = process.env.LICENSE ?? 'L-1';
if (!STEWARD || !RESEARCHER) {
  console.error('set STEWARD and RESEARCHER to API keys (npm start prints the demo keys once)');
  process.exit(2);
}

const Q = `query($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { measure value flags } } } }`;
const QUERIES = [
  {
    name: 'open: city x year, cases and satisfaction (the tour)',
    as: undefined,
    q: {
      dataset: 'hotline-cases-open',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'year' },
      ],
      measures: ['cases', 'satisfactionRate', 'solvedRate', 'consultationShare', 'avgHandlingDays'],
    },
  },
  {
    name: 'open: city x month x category level 1, 2021',
    as: undefined,
    q: {
      dataset: 'hotline-cases-open',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
        { dimension: 'category', level: 'l1' },
      ],
      filters: [{ dimension: 'time', from: '2021-01', to: '2021-12' }],
      measures: ['cases', 'solvedRate', 'satisfactionRate'],
    },
  },
  {
    name: 'licensed: Suzhou districts x month (the tour)',
    as: RESEARCHER,
    q: {
      dataset: 'hotline-cases',
      licenseId: LICENSE,
      groupBy: [
        { dimension: 'area', level: 'district' },
        { dimension: 'time', level: 'month' },
      ],
      filters: [
        { dimension: 'area', level: 'city', in: ['320500'] },
        { dimension: 'time', from: '2021-01', to: '2021-12' },
      ],
      measures: ['cases', 'avgHandlingDays', 'repeatRate', 'solvedRate'],
    },
  },
  {
    name: 'licensed: category level 2 in 2022 (question 1)',
    as: RESEARCHER,
    q: {
      dataset: 'hotline-cases',
      licenseId: LICENSE,
      groupBy: [{ dimension: 'category', level: 'l2' }],
      filters: [{ dimension: 'time', from: '2022-01', to: '2022-12' }],
      measures: ['cases', 'repeatRate', 'dissatisfactionRate'],
    },
  },
];

async function ask(token, q) {
  const res = await globalThis.fetch(G, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: Q, variables: { q } }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`${JSON.stringify(q)}: ${body.errors[0].message}`);
  return body.data.aggregate;
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const all = { listed: 0, exactRows: 0, countErrors: [], rateErrors: [], values: 0, withheld: 0 };
const RATES = new Set(['satisfactionRate', 'solvedRate', 'consultationShare', 'repeatRate', 'dissatisfactionRate']);
for (const { name, as, q } of QUERIES) {
  const { licenseId, ...exactQuery } = q;
  void licenseId;
  const [shown, exact] = await Promise.all([ask(as, q), ask(STEWARD, exactQuery)]);
  const truth = new Map(exact.rows.map((r) => [r.keys.join('|'), r]));
  const s = {
    listed: shown.rows.length,
    exactRows: exact.rows.length,
    countErrors: [],
    rateErrors: [],
    values: 0,
    withheld: 0,
  };
  for (const row of shown.rows) {
    const t = truth.get(row.keys.join('|'));
    if (!t) continue;
    row.cells.forEach((cell, i) => {
      const real = t.cells[i].value;
      s.values++;
      if (cell.value === null) {
        if (real !== null) s.withheld++;
        return;
      }
      if (real === null) return;
      if (cell.measure === 'cases' && real >= 100) s.countErrors.push(Math.abs(cell.value - real) / real);
      if (RATES.has(cell.measure) && t.cells[0].value >= 100) s.rateErrors.push(Math.abs(cell.value - real));
    });
  }
  for (const k of Object.keys(all)) all[k] = Array.isArray(all[k]) ? all[k].concat(s[k]) : all[k] + s[k];
  console.log(
    `${name}: ${s.listed} of ${s.exactRows} rows listed; counts >= 100: median error ${(100 * median(s.countErrors)).toFixed(2)}%; ` +
      `rates of rows >= 100: median error ${median(s.rateErrors).toFixed(4)}, largest ${Math.max(...s.rateErrors, 0).toFixed(4)}; ` +
      `${s.withheld} of ${s.values} values withheld`,
  );
}
console.log(
  `all: ${all.listed} of ${all.exactRows} rows listed; counts >= 100: median error ${(100 * median(all.countErrors)).toFixed(2)}% over ${all.countErrors.length}; ` +
    `rates of rows >= 100: median error ${median(all.rateErrors).toFixed(4)}, largest ${Math.max(...all.rateErrors, 0).toFixed(4)} over ${all.rateErrors.length}; ` +
    `${all.withheld} of ${all.values} values withheld`,
);
