import { generateKeyPair, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { AuthenticationService } from '../access-policy/authentication.service.js';
import { loadConfig } from '../config/app-config.js';
import { GatewayError } from '../common/gateway-error.js';
import { OidcVerifier } from './oidc.verifier.js';

describe(OidcVerifier.name, () => {
  const config = (jwks: string) =>
    loadConfig({
      OIDC_ISSUER: 'https://idp.test/',
      OIDC_AUDIENCE: 'hgw',
      OIDC_JWKS_URL: jwks,
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
    });

  it('answers SERVICE_UNAVAILABLE, not UNAUTHENTICATED, when the key set cannot be fetched', async () => {
    const sut = new OidcVerifier(config('http://127.0.0.1:9/jwks.json'), {} as DataSource, new AuthenticationService());
    await sut.onModuleInit();
    const { privateKey } = await generateKeyPair('RS256');
    const jwt = await new SignJWT({ sub: 's' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .setIssuer('https://idp.test/')
      .setAudience('hgw')
      .setExpirationTime('5m')
      .sign(privateKey);
    const error = await sut.verify(jwt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('leaves API keys and non-JWT strings to other verifiers', async () => {
    const sut = new OidcVerifier(config('http://127.0.0.1:9/jwks.json'), {} as DataSource, new AuthenticationService());
    await sut.onModuleInit();
    expect(await sut.verify('hgw_abc')).toBeUndefined();
    expect(await sut.verify('not a token')).toBeUndefined();
  });

  it('refuses to start on a key set file that does not exist, naming the variable', async () => {
    const sut = new OidcVerifier(
      config('file:///nonexistent/jwks.json'),
      {} as DataSource,
      new AuthenticationService(),
    );
    await expect(sut.onModuleInit()).rejects.toThrow(
      /^OIDC_JWKS_URL: cannot read a JSON Web Key Set from file:\/\/\/nonexistent/,
    );
  });
});
