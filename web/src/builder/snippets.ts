import type { AggregateQueryInput } from './query-state';

/** The selection the builder asks for: everything the table, legend and citation show. */
export const AGGREGATE_QUERY = `query Aggregate($q: AggregateQueryInput!) {
  aggregate(query: $q) {
    dataset
    columns
    rows { keys labels labelsEn cells { measure value flags } }
    disclosure { method threshold suppressedCells budgetRemaining }
    licenseId
    auditEventId
    citation
  }
}`;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The same query as GraphQL, curl and Python, to copy. The credential is never written out:
 * the snippets read it from the HGW_API_KEY environment variable.
 */
export function snippets(origin: string, input: AggregateQueryInput, signedIn: boolean) {
  const variables = { q: input };
  const body = JSON.stringify({ query: AGGREGATE_QUERY.replace(/\s+/g, ' '), variables });
  const auth = signedIn ? ` \\\n  -H "Authorization: Bearer $HGW_API_KEY"` : '';
  const curl =
    `curl -s ${origin}/graphql \\\n  -H 'content-type: application/json'${auth} \\\n  -d ${shellQuote(body)}` +
    `\n\n# or as a CSV download\ncurl -s${signedIn ? ' -H "Authorization: Bearer $HGW_API_KEY"' : ''} -G ${origin}/export/aggregate.csv \\\n  --data-urlencode ${shellQuote('query=' + JSON.stringify(input))}`;
  const python = [
    'import os, requests',
    '',
    `G = "${origin}/graphql"`,
    signedIn ? 'H = {"Authorization": f"Bearer {os.environ[\'HGW_API_KEY\']}"}' : 'H = {}',
    `Q = """${AGGREGATE_QUERY}"""`,
    `variables = ${JSON.stringify(variables, null, 2)
      .replace(/\btrue\b/g, 'True')
      .replace(/\bfalse\b/g, 'False')
      .replace(/\bnull\b/g, 'None')}`,
    'r = requests.post(G, headers=H, json={"query": Q, "variables": variables}).json()',
    'if "errors" in r: raise SystemExit(r["errors"][0]["message"])',
    'result = r["data"]["aggregate"]',
    'print(result["citation"])',
  ].join('\n');
  return {
    graphql: `${AGGREGATE_QUERY}\n\n# variables\n${JSON.stringify(variables, null, 2)}`,
    curl,
    python,
  };
}
