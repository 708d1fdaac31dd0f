import { Injectable } from '@nestjs/common';
import { unauthenticated } from '../common/gateway-error.js';
import { Actor, PUBLIC_ACTOR } from './actor.js';
import type { RequestWithActor } from './request-with-actor.js';

export interface CredentialVerifier {
  /** Returns the actor for a bearer token, or undefined when this verifier does not recognise it. */
  verify(token: string): Promise<Actor | undefined>;
  /**
   * The non-secret id a token names, when it is one of this verifier's (an API key's lookup id),
   * so that the audit event of a refused credential says which key was presented.
   */
  presentedId?(token: string): string | undefined;
}

export const CREDENTIAL_VERIFIERS = Symbol('CREDENTIAL_VERIFIERS');

/**
 * Turns an Authorization header into an Actor. No header: the public role. A header
 * that no verifier accepts: UNAUTHENTICATED, without saying whether the key exists.
 */
@Injectable()
export class AuthenticationService {
  private readonly verifiers: CredentialVerifier[] = [];

  register(verifier: CredentialVerifier): void {
    this.verifiers.push(verifier);
  }

  async authenticate(authorization: string | string[] | undefined): Promise<Actor> {
    if (authorization === undefined || authorization === '') return PUBLIC_ACTOR;
    if (Array.isArray(authorization)) throw unauthenticated('Send one Authorization header, not several.');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <API key or token>".');
    for (const verifier of this.verifiers) {
      const actor = await verifier.verify(match[1]);
      if (actor) return actor;
    }
    throw unauthenticated();
  }

  /**
   * Authenticates a request once: the rate limiter and the guard both call this, and later calls
   * reuse `req.actor`. Throws UNAUTHENTICATED, after noting who the audit log records instead.
   */
  async authenticateRequest(req: RequestWithActor): Promise<Actor> {
    if (!req.actor) {
      let authenticated: Actor;
      try {
        authenticated = await this.authenticate(req.headers?.authorization);
      } catch (err) {
        req.refusedActor ??= {
          role: 'public',
          authMethod: 'none',
          apiKeyId: this.presentedKeyId(req.headers?.authorization),
          requestId: req.id === undefined ? undefined : String(req.id),
          clientAddress: req.ip,
        };
        throw err;
      }
      req.actor = {
        ...authenticated,
        requestId: req.id === undefined ? undefined : String(req.id),
        clientAddress: req.ip,
      };
    }
    return req.actor;
  }

  /** The lookup id of the credential in an Authorization header, if a verifier can read one (never a secret). */
  presentedKeyId(authorization: string | string[] | undefined): string | undefined {
    if (typeof authorization !== 'string') return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return undefined;
    for (const verifier of this.verifiers) {
      const id = verifier.presentedId?.(match[1]);
      if (id) return id;
    }
    return undefined;
  }
}
