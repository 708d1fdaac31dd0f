import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

/** Typed, validated configuration. Built once at boot from the environment; nothing else reads process.env but diagnostic switches (diagnostic-switch.ts). */
export interface AppConfig {
  /** External PostgreSQL; undefined means the embedded one under `dataDir/pg`. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  seedDemo: boolean;
  redisUrl: string | undefined;
  oidc: { issuer: string; audience: string; jwksUrl: string } | undefined;
  /** The OIDC client id the web portal signs in with (authorization code + PKCE); undefined: OIDC_AUDIENCE. */
  oidcClientId: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty`: coloured lines for people (default on a terminal); `json`: one object a line (default otherwise). */
  logFormat: 'pretty' | 'json';
  /** Size of the synthetic demo loaded into an empty database. */
  demoCases: number;
  /** Ed25519 key that signs audit checkpoints; undefined means DATA_DIR/keys/audit-signing.key. */
  auditSigningKeyFile: string | undefined;
  /** A signed audit checkpoint every this many events ... */
  auditCheckpointEvery: number;
  /** ... or this many seconds after the last one, whichever comes first (when events arrived). */
  auditCheckpointSeconds: number;
  /** Ceiling for every SQL statement (PostgreSQL statement_timeout), in milliseconds. */
  statementTimeoutMs: number;
  /** Requests per window, per principal (or per address for the public) and per client address. */
  rateLimit: { windowSeconds: number; perPrincipal: number; perAddress: number };
  /** OpenTelemetry collector (OTLP/HTTP); undefined: no tracing, and the SDK is never loaded. */
  otlpEndpoint: string | undefined;
  /** Key file for caller pseudonyms (HMAC); undefined means `dataDir/keys/pseudonym.key`, created on first use. */
  pseudonymKeyFile: string | undefined;
  /** Streaming replicas of DATABASE_URL that serve aggregate reads (rollups, catalog, members). */
  replicaUrls: string[];
  /** Gateway processes on this machine (node:cluster); 1 runs the server in this process. */
  workers: number;
  /** Where rate-limit counters live: Redis, the database (several processes), or this process. */
  rateLimitStore: 'redis' | 'database' | 'memory';
  /** Days scrubbed free text is kept after import; 0 drops it once keywords and reply fingerprint are taken. */
  freeTextRetentionDays: number;
  /**
   * Months of cases and call traffic kept (the current month and the N-1 before it; older month
   * partitions are dropped after each import and by `hotline-gateway retention`); 0: kept forever.
   */
  caseRetentionMonths: number;
  /**
   * Proxies whose X-Forwarded-For is believed (Fastify `trustProxy`, proxy-addr: addresses, CIDR ranges or
   * `loopback`, `linklocal`, `uniquelocal`); empty: none, the socket's address is the client's.
   */
  trustProxy: string[];
  /** Days the demo's API keys work (they are printed once, when the demo is loaded). */
  demoKeyDays: number;
  /** Bearer token that `/metrics` requires; undefined: `/metrics` is off. */
  metricsToken: string | undefined;
  /** Whether the schema may be introspected (the open-data catalog's contract); GRAPHQL_INTROSPECTION=false turns it off. */
  graphqlIntrospection: boolean;
  /** Which licences need two distinct stewards' approvals: none, those allowing fine detail, or all. */
  licenseSecondApproval: 'off' | 'fine' | 'all';
}

/** A bad environment value: the message is one line naming the variable and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function parseUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(name, `not a valid URL (expected ${protocols[0]}//host:port/...)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      name,
      `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${url.protocol}//`,
    );
  }
  return raw.trim();
}

function parseDatabaseUrl(env: Env, variable = 'DATABASE_URL'): string | undefined {
  let url: string | undefined;
  try {
    url = parseUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(variable, err.message.replace(/^DATABASE_URL: /, ''));
    throw err;
  }
  if (url !== undefined) {
    const parsed = new URL(url);
    if (!parsed.hostname) throw new ConfigError(variable, 'has no host');
    if (parsed.pathname.replace(/^\//, '') === '') {
      throw new ConfigError(variable, 'names no database (add /dbname at the end)');
    }
  }
  return url;
}

function parseOidc(env: Env): AppConfig['oidc'] {
  const names = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const;
  const set = names.filter((n) => (env[n] ?? '').trim() !== '');
  if (set.length === 0) return undefined;
  const missing = names.filter((n) => !set.includes(n));
  if (missing.length > 0) {
    throw new ConfigError(missing[0], `must be set together with ${set.join(', ')}`);
  }
  const jwksUrl = parseUrl(env, 'OIDC_JWKS_URL', ['https:', 'http:', 'file:']) as string;
  // Keys fetched over plain HTTP could be swapped on the way, and with them every token's signature.
  if (new URL(jwksUrl).protocol === 'http:' && !LOCAL_HOSTS.has(new URL(jwksUrl).hostname)) {
    throw new ConfigError(
      'OIDC_JWKS_URL',
      `must use https:// (plain http:// is accepted only for localhost), got ${new URL(jwksUrl).origin}`,
    );
  }
  const issuer = (env.OIDC_ISSUER as string).trim();
  return { issuer, audience: (env.OIDC_AUDIENCE as string).trim(), jwksUrl };
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function parseTrustProxy(env: Env): string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || ['none', 'false', 'off'].includes(raw.toLowerCase())) return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    const [address, bits, extra] = value.split('/');
    const ip = isIP(address);
    const prefixOk =
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (ip === 6 ? 128 : 32) && extra === undefined);
    if (!PROXY_NAMES.includes(value) && !(ip !== 0 && prefixOk)) {
      throw new ConfigError(
        'TRUST_PROXY',
        `"${value}" is not an address, a CIDR range or one of ${PROXY_NAMES.join(', ')}; e.g. TRUST_PROXY=10.0.0.0/8,loopback, or none`,
      );
    }
    return value;
  });
}

function parseMetricsToken(env: Env): string | undefined {
  const raw = (env.METRICS_TOKEN ?? '').trim();
  if (raw === '') return undefined;
  if (!/^[\x21-\x7e]{16,512}$/.test(raw)) {
    throw new ConfigError('METRICS_TOKEN', 'expected 16 to 512 printable characters without spaces');
  }
  return raw;
}

function parseSecondApproval(env: Env): AppConfig['licenseSecondApproval'] {
  const raw = (env.LICENSE_SECOND_APPROVAL ?? '').trim().toLowerCase() || 'off';
  if (raw !== 'off' && raw !== 'fine' && raw !== 'all') {
    throw new ConfigError('LICENSE_SECOND_APPROVAL', `expected off, fine or all, got "${raw}"`);
  }
  return raw;
}

function parseOidcClientId(env: Env): string | undefined {
  const raw = (env.OIDC_CLIENT_ID ?? '').trim();
  if (raw === '') return undefined;
  if ((env.OIDC_ISSUER ?? '').trim() === '') {
    throw new ConfigError(
      'OIDC_CLIENT_ID',
      'is set but OIDC is not: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL too',
    );
  }
  if (!/^[\x21-\x7e]{1,200}$/.test(raw))
    throw new ConfigError('OIDC_CLIENT_ID', 'expected printable characters, no spaces');
  return raw;
}

function parseFilePath(env: Env, name: string, cwd: string): string | undefined {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return undefined;
  if (raw.includes('\0')) throw new ConfigError(name, 'contains a NUL byte');
  if (raw.endsWith('/')) throw new ConfigError(name, `names a folder ("${raw}"); give the path of the key file`);
  return isAbsolute(raw) ? raw : resolve(cwd, raw);
}

function parseReplicaUrls(env: Env): string[] {
  const raw = (env.DATABASE_REPLICA_URLS ?? '').trim();
  if (raw === '') return [];
  return raw.split(',').map((entry, i) => {
    const url = entry.trim();
    const name = `DATABASE_REPLICA_URLS (entry ${i + 1})`;
    if (url === '') throw new ConfigError(name, 'is empty; separate replica URLs with single commas');
    const parsed = parseDatabaseUrl({ DATABASE_URL: url }, name);
    return parsed as string;
  });
}

function parseWorkers(env: Env, cores: number): number {
  const raw = (env.WORKERS ?? '').trim().toLowerCase();
  if (raw === 'auto') return Math.max(1, cores);
  return parseInteger(env, 'WORKERS', 1, 1, 256);
}

function parseRateLimitStore(env: Env, redisUrl: string | undefined, workers: number): AppConfig['rateLimitStore'] {
  const raw = (env.RATE_LIMIT_STORE ?? '').trim().toLowerCase();
  const choices = ['auto', 'redis', 'database', 'memory'];
  if (raw !== '' && !choices.includes(raw)) {
    throw new ConfigError('RATE_LIMIT_STORE', `expected one of ${choices.join(', ')}, got "${raw}"`);
  }
  if (raw === 'redis' && !redisUrl) throw new ConfigError('RATE_LIMIT_STORE', 'is redis but REDIS_URL is not set');
  if (raw === 'redis' || raw === 'database' || raw === 'memory') return raw;
  // auto: Redis where there is one; the database when several processes of this machine share a limit.
  if (redisUrl) return 'redis';
  return workers > 1 ? 'database' : 'memory';
}

export function loadConfig(
  env: Env = process.env,
  cwd: string = process.cwd(),
  cores = availableParallelism(),
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): AppConfig {
  const databaseUrl = parseDatabaseUrl(env);
  const redisUrl = parseUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const workers = parseWorkers(env, cores);
  const rawDataDir = (env.DATA_DIR ?? '').trim() || './data';
  if (rawDataDir.includes('\0')) throw new ConfigError('DATA_DIR', 'contains a NUL byte');
  const dataDir = isAbsolute(rawDataDir) ? rawDataDir : resolve(cwd, rawDataDir);
  const logLevelRaw = (env.LOG_LEVEL ?? '').trim() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const logFormatRaw = (env.LOG_FORMAT ?? '').trim() || (stdoutIsTerminal ? 'pretty' : 'json');
  if (logFormatRaw !== 'pretty' && logFormatRaw !== 'json') {
    throw new ConfigError('LOG_FORMAT', `expected pretty or json, got "${logFormatRaw}"`);
  }
  return {
    databaseUrl,
    dataDir,
    port: parseInteger(env, 'PORT', 3000, 0, 65535),
    host: (env.HOST ?? '').trim() || '127.0.0.1',
    seedDemo: parseBoolean(env, 'SEED_DEMO', databaseUrl === undefined),
    redisUrl,
    oidc: parseOidc(env),
    oidcClientId: parseOidcClientId(env),
    logLevel: logLevelRaw as AppConfig['logLevel'],
    logFormat: logFormatRaw,
    demoCases: parseInteger(env, 'DEMO_CASES', 200_000, 0, 50_000_000),
    auditSigningKeyFile: parseFilePath(env, 'AUDIT_SIGNING_KEY_FILE', cwd),
    auditCheckpointEvery: parseInteger(env, 'AUDIT_CHECKPOINT_EVERY', 1000, 1, 10_000_000),
    auditCheckpointSeconds: parseInteger(env, 'AUDIT_CHECKPOINT_SECONDS', 60, 1, 86_400),
    statementTimeoutMs: parseInteger(env, 'DB_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    rateLimit: {
      windowSeconds: parseInteger(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      perPrincipal: parseInteger(env, 'RATE_LIMIT_PER_PRINCIPAL', 300, 1, 1_000_000_000),
      perAddress: parseInteger(env, 'RATE_LIMIT_PER_ADDRESS', 600, 1, 1_000_000_000),
    },
    pseudonymKeyFile: parseFilePath(env, 'PSEUDONYM_KEY_FILE', cwd),
    replicaUrls: parseReplicaUrls(env),
    workers,
    rateLimitStore: parseRateLimitStore(env, redisUrl, workers),
    freeTextRetentionDays: parseInteger(env, 'FREE_TEXT_RETENTION_DAYS', 0, 0, 36_500),
    caseRetentionMonths: parseInteger(env, 'CASE_RETENTION_MONTHS', 0, 0, 1_200),
    otlpEndpoint: parseUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
    trustProxy: parseTrustProxy(env),
    demoKeyDays: parseInteger(env, 'DEMO_KEY_DAYS', 30, 1, 3650),
    metricsToken: parseMetricsToken(env),
    graphqlIntrospection: parseBoolean(env, 'GRAPHQL_INTROSPECTION', true),
    licenseSecondApproval: parseSecondApproval(env),
  };
}
