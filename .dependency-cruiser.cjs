/**
 * The layers of src/ (docs/architecture.md, "Layers"), checked by `npm run lint`.
 * A module may import its own layer and the layers below it, never one above; within a layer,
 * imports go one way only (no-circular). Type-only imports count.
 */

/** Bottom to top. A folder is `src/<name>/`; a file at the top of src/ is named with its extension. */
const LAYERS = [
  { name: 'foundation', folders: ['common', 'config'] },
  { name: 'infrastructure', folders: ['database', 'logging', 'metrics', 'tracing'] },
  // disclosure: the maths only (its step, disclosure.service.ts, is a layer of its own below).
  { name: 'domain core', folders: ['records', 'disclosure', 'catalog'] },
  { name: 'identity and policy', folders: ['access-policy', 'audit', 'principals'] },
  { name: 'published data', folders: ['datasets', 'licensing'] },
  { name: 'disclosure step', files: ['src/disclosure/disclosure\\.service\\.ts$'] },
  { name: 'features', folders: ['aggregate', 'ingest', 'catalog-metadata', 'rate-limit', 'health'] },
  {
    name: 'wiring',
    folders: ['graphql', 'cli', 'demo', 'bootstrap', 'portal'],
    files: ['src/app\\.module\\.ts$', 'src/main\\.ts$'],
  },
];

const DISCLOSURE_STEP = LAYERS.find((l) => l.name === 'disclosure step').files;

/** Path patterns of one layer (the disclosure step is carved out of the disclosure folder). */
function pathsOf(layer) {
  return [...(layer.folders ?? []).map((f) => `^src/${f}/`), ...(layer.files ?? [])];
}

const upwardRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name.replace(/ /g, '-')}`,
  comment: `${layer.name} (${[...(layer.folders ?? []), ...(layer.files ?? [])].join(', ')}) imports only its own layer and those below it`,
  severity: 'error',
  from: { path: pathsOf(layer), pathNot: layer.folders?.includes('disclosure') ? DISCLOSURE_STEP : [] },
  to: { path: LAYERS.slice(i + 1).flatMap(pathsOf) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycles anywhere: when two modules need each other, one publishes an event or the shared part moves down',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upwardRules,
    {
      name: 'write-side-never-reads-query-side',
      comment:
        'records and ingest (the write side) never import the query side; rollups follow records through the ' +
        'records-changed event (src/records/records-changed.ts) that the aggregate module subscribes to',
      severity: 'error',
      from: { path: ['^src/records/', '^src/ingest/'] },
      to: { path: ['^src/aggregate/', '^src/graphql/', '^src/datasets/', '^src/catalog-metadata/', '^src/licensing/'] },
    },
    {
      name: 'errors-from-common',
      comment: 'GraphQL error types and codes live in src/common/ only (gateway-error.ts, infrastructure-errors.ts)',
      severity: 'error',
      from: { path: '^(src|bench)/' },
      to: { path: '(^|/)[^/]*errors?\\.ts$', pathNot: ['^src/common/', '^src/graphql/format-error\\.ts$'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (the peer benchmark installs its own packages when it runs)',
      severity: 'error',
      from: { pathNot: '^bench/peer/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['\\.spec\\.ts$', '^dist/', '^web/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
