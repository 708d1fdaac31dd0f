import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import accepts from 'accepts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import send from 'send';
import { requestPath } from '../common/request-url.js';
import { sendWhole } from '../common/whole-response.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { contentSecurityPolicy, issuerOrigin } from './content-security-policy.js';
import { NOT_BUILT_MESSAGE, PortalFiles } from './portal-files.js';

/**
 * The paths the portal's client-side router owns; each answers with the portal page. Exact paths
 * (and one catalog entry level), so anything else, e.g. a scanner's `/admin` or `/manage/.env`,
 * still gets the gateway's JSON 404.
 */
const PORTAL_PAGES =
  /^\/(|catalog|catalog\/[a-z0-9-]{1,64}|build|licences|audit|department|manage|sign-in|oidc\/callback)\/?$/;

/** Files Vite copies from web/public to the top of dist/web. */
const PUBLIC_FILES = new Set(['favicon.svg']);

const ASSET = /^\/assets\/[A-Za-z0-9._-]+$/;

/**
 * Serves the web portal from the gateway's own process and origin: the page at `/` and its
 * client-side routes, hashed assets under `/assets/`, the GraphQL explorer at `/explorer`, and
 * the explorer again for a browser's GET on `/graphql` (only when the request prefers HTML;
 * POST and JSON GET go on to Apollo untouched, CSRF prevention included). Everything else passes
 * through. The pages carry a strict Content-Security-Policy (no inline script, no eval).
 * Static files hold no data: the portal reads everything through /graphql and /export like any
 * other client, so every figure it shows is governed and audited as an API call.
 */
@Injectable()
export class PortalMiddleware implements NestMiddleware {
  private readonly files = new PortalFiles();
  private readonly portalCsp: string;
  private readonly explorerCsp: string;
  private readonly clientConfig: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const idp = issuerOrigin(config.oidc?.issuer);
    const extraConnect = idp ? [idp] : [];
    this.portalCsp = contentSecurityPolicy({ extraConnect });
    this.explorerCsp = contentSecurityPolicy({ extraConnect, inlineStyles: true });
    this.clientConfig = JSON.stringify({
      oidc: config.oidc
        ? {
            issuer: config.oidc.issuer,
            audience: config.oidc.audience,
            clientId: config.oidcClientId ?? config.oidc.audience,
            scope: 'openid',
          }
        : null,
    });
  }

  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = requestPath(req);
    if (path === '/graphql') {
      return wantsHtml(req) ? this.page(req, res, 'explorer') : next();
    }
    if (path === '/explorer' || path === '/explorer/') return this.page(req, res, 'explorer');
    if (path === '/portal/config.json') {
      res.setHeader('Cache-Control', 'no-store');
      return sendWhole(req, res, 200, 'application/json; charset=utf-8', this.clientConfig);
    }
    if (ASSET.test(path)) return this.file(req, res, path.slice(1), true, next);
    if (PUBLIC_FILES.has(path.slice(1))) return this.file(req, res, path.slice(1), false, next);
    if (PORTAL_PAGES.test(path)) return this.page(req, res, 'index');
    next();
  }

  private page(req: IncomingMessage, res: ServerResponse, name: 'index' | 'explorer'): void {
    const html = this.files.page(name);
    res.setHeader('Cache-Control', 'no-cache');
    if (html === null) return sendWhole(req, res, 503, 'text/plain; charset=utf-8', NOT_BUILT_MESSAGE + '\n');
    res.setHeader('Content-Security-Policy', name === 'explorer' ? this.explorerCsp : this.portalCsp);
    sendWhole(req, res, 200, 'text/html; charset=utf-8', html);
  }

  private file(
    req: IncomingMessage,
    res: ServerResponse,
    relative: string,
    immutable: boolean,
    next: () => void,
  ): void {
    // `send` (what Express's res.sendFile used): Content-Type, Last-Modified, ranges and
    // conditional GETs, and no file outside the root or starting with a dot.
    send(req, relative, { root: this.files.dir, dotfiles: 'deny' })
      .on('headers', (response: ServerResponse) => {
        // Hashed names change with their content, so they may be kept for good.
        response.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      })
      .on('error', () => {
        // Unknown file: let the gateway answer its usual 404 in words.
        if (!res.headersSent) next();
      })
      .pipe(res);
  }
}

/** A browser navigation: HTML preferred over JSON (clients accepting anything, or JSON only, get JSON). */
export function wantsHtml(req: IncomingMessage): boolean {
  return accepts(req).type(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}
