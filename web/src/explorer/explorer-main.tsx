import { GraphiQL } from 'graphiql';
import type { ExecutionResult } from 'graphql';
import 'graphiql/graphiql.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { readCredential } from '../api/credential';
import './explorer.css';

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };

/**
 * GraphiQL, bundled with the gateway (no CDN). It sends the credential the portal signed in with
 * (from sessionStorage of this tab) as a header; the headers editor is there for anything else.
 * Requests are JSON POSTs, so Apollo's CSRF prevention applies unchanged.
 */
async function fetcher(params: FetcherParams, opts?: { headers?: Record<string, unknown> }): Promise<ExecutionResult> {
  const credential = readCredential();
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  for (const [k, v] of Object.entries(opts?.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (credential && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
    headers.Authorization = `Bearer ${credential}`;
  }
  const response = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify(params),
    credentials: 'omit',
  });
  return (await response.json()) as ExecutionResult;
}

const DEFAULT_QUERY = `# The catalog: every dataset you may see. Ctrl-Enter runs the query.
{
  datasets { slug titleZh titleEn classification licenseRequired yourAccess }
}
`;

const params = new URLSearchParams(window.location.search);
const signedIn = readCredential() !== null;
const root = document.getElementById('explorer');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={DEFAULT_QUERY}
        query={params.get('query') ?? undefined}
        variables={params.get('variables') ?? undefined}
        shouldPersistHeaders={false}
      >
        <GraphiQL.Logo>
          <a href="/" className="explorer-home">
            hotline-gateway
          </a>{' '}
          <span className="explorer-who">{signedIn ? 'signed in · 已登录' : 'public · 公开'}</span>
        </GraphiQL.Logo>
      </GraphiQL>
    </StrictMode>,
  );
}
