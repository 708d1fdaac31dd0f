import { contentSecurityPolicy, issuerOrigin } from './content-security-policy.js';

const directive = (csp: string, name: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(name + ' '));

describe('contentSecurityPolicy', () => {
  it('allows scripts from this origin only: no inline script, no eval, on both pages', () => {
    for (const csp of [contentSecurityPolicy({}), contentSecurityPolicy({ inlineStyles: true })]) {
      expect(directive(csp, 'script-src')).toBe("script-src 'self'");
      expect(directive(csp, 'script-src-attr')).toBe("script-src-attr 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(directive(csp, 'object-src')).toBe("object-src 'none'");
      expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    }
  });

  it('keeps styles to files on the portal; only the explorer allows inline styles', () => {
    expect(directive(contentSecurityPolicy({}), 'style-src')).toBe("style-src 'self'");
    expect(directive(contentSecurityPolicy({ inlineStyles: true }), 'style-src')).toBe(
      "style-src 'self' 'unsafe-inline'",
    );
  });

  it("lets the page reach the identity provider's origin, and nothing else", () => {
    const csp = contentSecurityPolicy({ extraConnect: ['https://idp.example'] });
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' https://idp.example");
    expect(directive(contentSecurityPolicy({}), 'connect-src')).toBe("connect-src 'self'");
  });

  it('takes the origin of an issuer URL', () => {
    expect(issuerOrigin('https://idp.example/realms/hotline')).toBe('https://idp.example');
    expect(issuerOrigin('file:///etc/x')).toBeUndefined();
    expect(issuerOrigin('not a url')).toBeUndefined();
    expect(issuerOrigin(undefined)).toBeUndefined();
  });
});
