import { readCredential } from './credential';

/** An error the API answered with: its CONTRACT code (e.g. OUT_OF_LICENSE_SCOPE) and its message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface GqlAnswer<T> {
  data: T;
  /** The audit events the request recorded (ids), as the gateway reports them in `extensions`. */
  auditEventIds: string[];
}

interface GraphQLResponseBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { auditEventIds?: unknown };
}

function authHeaders(): Record<string, string> {
  const credential = readCredential();
  return credential ? { Authorization: `Bearer ${credential}` } : {};
}

/**
 * POSTs one operation to /graphql with the signed-in credential (none for the public). A JSON body
 * is what Apollo's CSRF prevention expects, so nothing here weakens it. Errors become ApiError.
 */
export async function gqlRequest<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlAnswer<T>> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError('NETWORK', 'The gateway could not be reached; check that it is running and retry.');
  }
  let body: GraphQLResponseBody<T>;
  try {
    body = (await response.json()) as GraphQLResponseBody<T>;
  } catch {
    throw new ApiError('HTTP_' + String(response.status), `The gateway answered HTTP ${response.status} without JSON.`);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'ERROR';
    throw new ApiError(code, first.message, first.extensions ?? {});
  }
  if (body.data === undefined || body.data === null) {
    throw new ApiError('ERROR', `The gateway answered HTTP ${response.status} with no data.`);
  }
  const ids = body.extensions?.auditEventIds;
  return {
    data: body.data,
    auditEventIds: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [],
  };
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return (await gqlRequest<T>(query, variables)).data;
}

/**
 * Downloads an aggregate through the export endpoint (GET /export/aggregate.csv|json) with the
 * credential in a header (never in the URL), then saves the file the browser received.
 */
export async function downloadExport(format: 'csv' | 'json', input: unknown): Promise<string> {
  const url = `/export/aggregate.${format}?query=${encodeURIComponent(JSON.stringify(input))}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: authHeaders(), credentials: 'omit' });
  } catch {
    throw new ApiError('NETWORK', 'The gateway could not be reached; check that it is running and retry.');
  }
  if (!response.ok) {
    let code = 'HTTP_' + String(response.status);
    let message = `The download failed with HTTP ${response.status}.`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // not JSON: keep the HTTP status
    }
    throw new ApiError(code, message);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `aggregate.${format}`;
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

/** Saves text the portal assembled itself (e.g. a page of audit events) as a file. */
export function saveText(name: string, type: string, text: string): void {
  const href = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
