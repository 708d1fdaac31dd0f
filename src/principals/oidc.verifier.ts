import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createLocalJWKSet, createRemoteJWKSet, errors, JSONWebKeySet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { AuthenticationService, CredentialVerifier } from '../access-policy/authentication.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { serviceUnavailable } from '../common/gateway-error.js';
import { actorForPrincipal, PRINCIPAL_COLUMNS, PrincipalRow } from './principal-actor.js';

/** Asymmetric algorithms only: never `none`, never HS* (a shared secret would let the gateway mint tokens). */
export const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Loads the key set: remote (cached and refreshed by jose) for http(s), a local file for file: URLs. */
export async function loadJwks(jwksUrl: string): Promise<JWTVerifyGetKey> {
  const url = new URL(jwksUrl);
  if (url.protocol === 'file:') {
    let json: JSONWebKeySet;
    try {
      json = JSON.parse(await readFile(fileURLToPath(url), 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw new Error(`OIDC_JWKS_URL: cannot read a JSON Web Key Set from ${jwksUrl}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!Array.isArray(json?.keys)) throw new Error(`OIDC_JWKS_URL: ${jwksUrl} has no "keys" array`);
    return createLocalJWKSet(json);
  }
  return createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000 });
}

/**
 * Accepts JWTs from the configured identity provider (OIDC_ISSUER, OIDC_AUDIENCE,
 * OIDC_JWKS_URL): signature against the provider's key set, issuer, audience, expiry and
 * algorithm all checked by `jose`. The `sub` claim must belong to a principal
 * (principal.oidc_subject); an unknown subject is UNAUTHENTICATED like any bad credential.
 */
@Injectable()
export class OidcVerifier implements CredentialVerifier, OnModuleInit {
  private keys?: JWTVerifyGetKey;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly authentication: AuthenticationService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.oidc) return;
    this.keys = await loadJwks(this.config.oidc.jwksUrl);
    this.authentication.register(this);
  }

  async verify(token: string): Promise<Actor | undefined> {
    const oidc = this.config.oidc;
    if (!oidc || !this.keys || !JWT_SHAPE.test(token)) return undefined;
    let sub: string | undefined;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      });
      sub = payload.sub;
    } catch (err) {
      // The provider's key set could not be fetched: our problem, not a bad token.
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
        throw serviceUnavailable("The identity provider's signing keys could not be fetched; retry shortly.");
      }
      return undefined;
    }
    if (!sub) return undefined;
    const rows = await this.dataSource.query<PrincipalRow[]>(
      `SELECT ${PRINCIPAL_COLUMNS} FROM principal p JOIN organization o ON o.id = p.organization_id
        WHERE p.oidc_subject = $1 AND p.disabled_at IS NULL`,
      [sub],
    );
    return rows[0] ? actorForPrincipal(rows[0], { authMethod: 'oidc' }) : undefined;
  }
}
