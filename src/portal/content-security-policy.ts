/**
 * The Content-Security-Policy of the portal's pages: scripts only from this origin (no inline
 * script, no eval), nothing framed, no plugins, requests only to this origin and, when OIDC is
 * configured, to the identity provider's origin (discovery and the PKCE token exchange).
 *
 * The portal's own styles are files ('self'). The GraphQL explorer (GraphiQL) also gets
 * 'unsafe-inline' for styles: its editor and popovers set style elements at run time. Styles
 * cannot run code; scripts stay 'self' only on both pages.
 */
export function contentSecurityPolicy(options: { extraConnect?: string[]; inlineStyles?: boolean }): string {
  const connect = ["'self'", ...(options.extraConnect ?? [])];
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['script-src-attr', ["'none'"]],
    ['style-src', options.inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', connect],
    ['worker-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The origin of an OIDC issuer URL, for connect-src; undefined when it is not an http(s) URL. */
export function issuerOrigin(issuer: string | undefined): string | undefined {
  if (!issuer) return undefined;
  try {
    const url = new URL(issuer);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
