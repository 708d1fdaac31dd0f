import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const sut = loadConfig({}, '/srv/app');
    expect(sut).toMatchObject({
      databaseUrl: undefined,
      dataDir: '/srv/app/data',
      port: 3000,
      seedDemo: true,
      redisUrl: undefined,
      oidc: undefined,
    });
  });

  it('refuses an OIDC_JWKS_URL over plain http unless it is localhost (finding: OIDC_JWKS_URL accepts http:)', () => {
    const oidc = { OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'hgw' };
    expect(() => loadConfig({ ...oidc, OIDC_JWKS_URL: 'http://idp.example/jwks' })).toThrow(
      new ConfigError(
        'OIDC_JWKS_URL',
        'must use https:// (plain http:// is accepted only for localhost), got http://idp.example',
      ),
    );
    for (const url of [
      'https://idp.example/jwks',
      'http://localhost:8080/jwks',
      'http://127.0.0.1/jwks',
      'http://[::1]/j',
    ]) {
      expect(loadConfig({ ...oidc, OIDC_JWKS_URL: url }).oidc?.jwksUrl).toBe(url);
    }
  });

  it('trusts no proxy unless TRUST_PROXY names some (finding: X-Forwarded-For is trusted from loopback)', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'none' }).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: "true" is not an address/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });

  it('reads the metrics token, demo key lifetime, introspection switch and second-approval rule', () => {
    expect(loadConfig({})).toMatchObject({
      metricsToken: undefined,
      demoKeyDays: 30,
      graphqlIntrospection: true,
      licenseSecondApproval: 'off',
    });
    expect(
      loadConfig({
        METRICS_TOKEN: 'a-long-enough-token',
        DEMO_KEY_DAYS: '7',
        GRAPHQL_INTROSPECTION: 'false',
        LICENSE_SECOND_APPROVAL: 'fine',
      }),
    ).toMatchObject({
      metricsToken: 'a-long-enough-token',
      demoKeyDays: 7,
      graphqlIntrospection: false,
      licenseSecondApproval: 'fine',
    });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: expected 16 to 512/);
    expect(() => loadConfig({ LICENSE_SECOND_APPROVAL: 'twice' })).toThrow(
      'LICENSE_SECOND_APPROVAL: expected off, fine or all, got "twice"',
    );
  });

  it('reads replicas, workers and the rate-limit store', () => {
    const sut = loadConfig(
      {
        DATABASE_URL: 'postgres://u@db:5432/hotline',
        DATABASE_REPLICA_URLS: 'postgres://u@r1:5432/hotline, postgres://u@r2:5433/hotline',
        WORKERS: 'auto',
      },
      '/srv/app',
      4,
    );
    expect(sut.replicaUrls).toEqual(['postgres://u@r1:5432/hotline', 'postgres://u@r2:5433/hotline']);
    expect(sut.workers).toBe(4);
    // Several processes and no Redis: the limits are counted in the database.
    expect(sut.rateLimitStore).toBe('database');
    expect(loadConfig({}, '/srv/app', 4)).toMatchObject({ replicaUrls: [], workers: 1, rateLimitStore: 'memory' });
    expect(loadConfig({ REDIS_URL: 'redis://r:6379', WORKERS: '3' }).rateLimitStore).toBe('redis');
  });

  it.each([
    [{ DATABASE_REPLICA_URLS: 'postgres://u@r1/db,' }, 'DATABASE_REPLICA_URLS (entry 2): is empty'],
    [{ DATABASE_REPLICA_URLS: 'mysql://r1/db' }, 'DATABASE_REPLICA_URLS (entry 1): expected a URL starting with'],
    [{ DATABASE_REPLICA_URLS: 'postgres://r1:5432' }, 'DATABASE_REPLICA_URLS (entry 1): names no database'],
    [{ WORKERS: 'many' }, 'WORKERS: expected a whole number from 1 to 256'],
    [{ RATE_LIMIT_STORE: 'disk' }, 'RATE_LIMIT_STORE: expected one of auto, redis, database, memory'],
    [{ RATE_LIMIT_STORE: 'redis' }, 'RATE_LIMIT_STORE: is redis but REDIS_URL is not set'],
  ])('refuses scale-out setting %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('does not seed the demo by default on an external database', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/hotline' }).seedDemo).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: expected a whole number from 0 to 65535, got "abc"'],
    [{ PORT: '70000' }, 'PORT: expected a whole number from 0 to 65535, got 70000'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO: expected true or false, got "maybe"'],
    [
      { DATABASE_URL: 'mysql://x/y' },
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got mysql://',
    ],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: not a valid URL (expected postgres://host:port/...)'],
    [{ DATABASE_URL: 'postgres://db:5432' }, 'DATABASE_URL: names no database (add /dbname at the end)'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL: expected a URL starting with redis:// or rediss://, got http://'],
    [{ OIDC_ISSUER: 'https://idp' }, 'OIDC_AUDIENCE: must be set together with OIDC_ISSUER'],
    [
      { OIDC_CLIENT_ID: 'portal' },
      'OIDC_CLIENT_ID: is set but OIDC is not: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL too',
    ],
    [
      { AUDIT_SIGNING_KEY_FILE: '/etc/keys/' },
      'AUDIT_SIGNING_KEY_FILE: names a folder ("/etc/keys/"); give the path of the key file',
    ],
    [{ AUDIT_CHECKPOINT_EVERY: '0' }, 'AUDIT_CHECKPOINT_EVERY: expected a whole number from 1 to 10000000, got 0'],
    [{ AUDIT_CHECKPOINT_SECONDS: 'soon' }, 'AUDIT_CHECKPOINT_SECONDS: expected a whole number from 1 to 86400'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT: expected pretty or json, got "xml"'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' },
      'OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL starting with http:// or https://, got grpc://',
    ],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('logs pretty lines on a terminal and JSON elsewhere unless LOG_FORMAT says', () => {
    expect(loadConfig({}, '/srv/app', 2, true).logFormat).toBe('pretty');
    expect(loadConfig({}, '/srv/app', 2, false).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, '/srv/app', 2, true).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }, '/srv/app', 2, false).logFormat).toBe('pretty');
  });

  it('resolves AUDIT_SIGNING_KEY_FILE against the working directory and defaults the checkpoint cadence', () => {
    const sut = loadConfig({ AUDIT_SIGNING_KEY_FILE: 'secrets/audit.key' }, '/srv/app');
    expect(sut).toMatchObject({
      auditSigningKeyFile: '/srv/app/secrets/audit.key',
      auditCheckpointEvery: 1000,
      auditCheckpointSeconds: 60,
    });
  });

  it('accepts a complete OIDC configuration', () => {
    const sut = loadConfig({ OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'hgw', OIDC_JWKS_URL: 'https://idp/jwks' });
    expect(sut.oidc).toEqual({ issuer: 'https://idp', audience: 'hgw', jwksUrl: 'https://idp/jwks' });
    expect(sut.oidcClientId).toBeUndefined();
    const oidc = { OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'hgw', OIDC_JWKS_URL: 'https://idp/jwks' };
    expect(loadConfig({ ...oidc, OIDC_CLIENT_ID: ' portal ' }).oidcClientId).toBe('portal');
    expect(() => loadConfig({ ...oidc, OIDC_CLIENT_ID: 'two words' })).toThrow(
      'OIDC_CLIENT_ID: expected printable characters, no spaces',
    );
  });

  it('reads the statement timeout and rate limits, with one-line errors for bad values', () => {
    expect(loadConfig({})).toMatchObject({
      statementTimeoutMs: 30_000,
      rateLimit: { windowSeconds: 60, perPrincipal: 300, perAddress: 600 },
    });
    const sut = loadConfig({
      DB_STATEMENT_TIMEOUT_MS: '5000',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_PER_PRINCIPAL: '5',
      RATE_LIMIT_PER_ADDRESS: '7',
    });
    expect(sut).toMatchObject({
      statementTimeoutMs: 5000,
      rateLimit: { windowSeconds: 10, perPrincipal: 5, perAddress: 7 },
    });
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '50' })).toThrow(
      'DB_STATEMENT_TIMEOUT_MS: expected a whole number from 100 to 3600000, got 50',
    );
    expect(() => loadConfig({ RATE_LIMIT_PER_PRINCIPAL: '0' })).toThrow(
      'RATE_LIMIT_PER_PRINCIPAL: expected a whole number from 1 to 1000000000, got 0',
    );
    expect(() => loadConfig({ RATE_LIMIT_WINDOW_SECONDS: '1m' })).toThrow(
      'RATE_LIMIT_WINDOW_SECONDS: expected a whole number from 1 to 86400, got "1m"',
    );
  });
});
