import { createReadStream, createWriteStream, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import {
  CHAIN_FORMAT,
  ChainedEvent,
  ChainVerifier,
  Checkpoint,
  IntegrityReport,
  keyIdOf,
  publicKeyFromPem,
} from './audit-chain.js';
import { checkpointsFilePath, loadSigningKey, publicKeyPath } from './audit-signing-key.js';

const PAGE = 5_000;

const EVENT_COLUMNS = `seq, prev_hash, hash,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, principal_id, role,
  organization_id, api_key_id, license_id, operation, dataset_slug, query, result_size, cells_suppressed, decision,
  reason, target, request_id, client_address`;

export interface EventRow {
  seq: string;
  prev_hash: string;
  hash: string;
  occurred_at: string;
  principal_id: string | null;
  role: string;
  organization_id: string | null;
  api_key_id: string | null;
  license_id: string | null;
  operation: string;
  dataset_slug: string | null;
  query: unknown;
  result_size: number | null;
  cells_suppressed: number | null;
  decision: string;
  reason: string | null;
  target: string | null;
  request_id: string | null;
  client_address: string | null;
}

export function eventFromRow(r: EventRow): ChainedEvent {
  return {
    seq: Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    occurredAt: r.occurred_at,
    principalId: r.principal_id,
    role: r.role,
    organizationId: r.organization_id,
    apiKeyId: r.api_key_id,
    licenseId: r.license_id,
    operation: r.operation,
    datasetSlug: r.dataset_slug,
    query: r.query ?? null,
    resultSize: r.result_size,
    cellsSuppressed: r.cells_suppressed,
    decision: r.decision,
    reason: r.reason,
    target: r.target,
    requestId: r.request_id,
    clientAddress: r.client_address,
  };
}

/** Every stored event in seq order, a page at a time (keyset pagination, no long transaction). */
async function* storedEvents(dataSource: DataSource, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<ChainedEvent> {
  let after = -1;
  for (;;) {
    const rows = await dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT ${PAGE}`,
      [after, upTo],
    );
    for (const r of rows) yield eventFromRow(r);
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

export async function storedCheckpoints(dataSource: DataSource): Promise<Checkpoint[]> {
  const rows = await dataSource.query<
    { seq: string; head_hash: string; created_at: string; key_id: string; signature: string }[]
  >(`SELECT seq, head_hash, created_at, key_id, signature FROM audit_checkpoint ORDER BY seq`);
  return rows.map((r) => ({
    seq: Number(r.seq),
    headHash: r.head_hash,
    createdAt: r.created_at,
    keyId: r.key_id,
    signature: r.signature,
  }));
}

/** Checkpoints appended to a JSON Lines file (ours, or one an auditor kept); bad lines are reported. */
export function checkpointsFromFile(path: string): Checkpoint[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Checkpoint[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const c = parseCheckpoint(line);
    if (!c) throw new Error(`${path} line ${i + 1} is not a checkpoint`);
    out.push(c);
  });
  return out;
}

function parseCheckpoint(line: string): Checkpoint | undefined {
  try {
    const v = JSON.parse(line) as Partial<Checkpoint> & { type?: string };
    if (v.type !== undefined && v.type !== 'checkpoint') return undefined;
    if (typeof v.seq !== 'number' || typeof v.headHash !== 'string' || typeof v.createdAt !== 'string')
      return undefined;
    if (typeof v.keyId !== 'string' || typeof v.signature !== 'string') return undefined;
    return { seq: v.seq, headHash: v.headHash, createdAt: v.createdAt, keyId: v.keyId, signature: v.signature };
  } catch {
    return undefined;
  }
}

function mergeCheckpoints(...lists: Checkpoint[][]): Checkpoint[] {
  const seen = new Map<string, Checkpoint>();
  for (const c of lists.flat()) seen.set(`${c.seq}:${c.signature}`, c);
  return [...seen.values()].sort((a, b) => a.seq - b.seq);
}

/** Keys trusted online: the signing key's public half (from its file) and the published public key. */
export function trustedKeys(config: AppConfig): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const signing = loadSigningKey(config, false);
  if (signing) keys.set(signing.keyId, signing.publicKey);
  try {
    const published = publicKeyFromPem(readFileSync(publicKeyPath(config), 'utf8'));
    keys.set(keyIdOf(published), published);
  } catch {
    // Not published yet: nothing more to trust.
  }
  return keys;
}

/**
 * The online check: the chain in the database, against the checkpoints stored there and
 * those appended to DATA_DIR/audit/checkpoints.jsonl, with the keys held outside the database.
 */
export async function verifyStoredChain(
  dataSource: DataSource,
  config: AppConfig,
  extraCheckpoints: Checkpoint[] = [],
): Promise<IntegrityReport> {
  const checkpoints = mergeCheckpoints(
    await storedCheckpoints(dataSource),
    checkpointsFromFile(checkpointsFilePath(config)),
    extraCheckpoints,
  );
  const verifier = new ChainVerifier(new Set(checkpoints.map((c) => c.seq)));
  for await (const e of storedEvents(dataSource)) {
    verifier.addEvent(e);
    if (verifier.failed) break;
  }
  return verifier.finish(checkpoints, trustedKeys(config));
}

/** Writes the export: a header, every known checkpoint, then every event, one JSON object per line. */
export async function exportAuditLog(
  dataSource: DataSource,
  config: AppConfig,
  outPath: string,
): Promise<{ events: number; checkpoints: number }> {
  const checkpoints = mergeCheckpoints(
    await storedCheckpoints(dataSource),
    checkpointsFromFile(checkpointsFilePath(config)),
  );
  // The export ends at the head as it is now, read after the checkpoints, so that only a cut
  // chain leaves one of them vouching for more. The header says where, so an offline check knows
  // which of the checkpoints an auditor kept can apply.
  const [head] = await dataSource.query<{ seq: string | null }[]>(`SELECT max(seq) AS seq FROM audit_event`);
  const lastSeq = Number(head?.seq ?? 0);
  const signing = loadSigningKey(config, false);
  // Opened synchronously and exclusively: an existing file is refused before anything is written.
  const out = createWriteStream('', { fd: openSync(outPath, 'wx', 0o600) });
  const write = async (obj: unknown) => {
    if (!out.write(JSON.stringify(obj) + '\n')) await once(out, 'drain');
  };
  let events = 0;
  try {
    await write({
      type: 'header',
      format: CHAIN_FORMAT,
      exportedAt: new Date().toISOString(),
      lastSeq,
      keyId: signing?.keyId ?? null,
      publicKeyPem: signing?.publicKeyPem ?? null,
    });
    for (const c of checkpoints) await write({ type: 'checkpoint', ...c });
    for await (const e of storedEvents(dataSource, lastSeq)) {
      await write({ type: 'event', ...e });
      events++;
    }
  } finally {
    await new Promise<void>((done) => out.end(done));
  }
  return { events, checkpoints: checkpoints.length };
}

/**
 * The offline check of an export, trusting only the public key the auditor supplies
 * (never the one inside the file) and optionally checkpoints the auditor kept.
 */
export async function verifyExportFile(
  path: string,
  publicKeyPem: string,
  keptCheckpoints: Checkpoint[] = [],
): Promise<IntegrityReport> {
  const key = publicKeyFromPem(publicKeyPem);
  const fromFile: Checkpoint[] = [];
  let exportedTo: number | undefined;
  for await (const { value } of lines(path)) {
    const v = value as { type?: string; lastSeq?: unknown };
    if (v.type === 'header' && typeof v.lastSeq === 'number') exportedTo = v.lastSeq;
    if (v.type === 'checkpoint') {
      const c = parseCheckpoint(JSON.stringify(value));
      if (c) fromFile.push(c);
    }
  }
  // Checkpoints the auditor fetched after the export vouch for events the export cannot hold: they
  // are left out, and the report says so; one within the export's range still catches a cut file.
  // The export's own checkpoints always apply (one beyond its events means the chain was cut
  // before the export), as does every kept one for an export whose header has no lastSeq.
  const later = exportedTo === undefined ? [] : keptCheckpoints.filter((c) => c.seq > exportedTo);
  const checkpoints = mergeCheckpoints(
    fromFile,
    keptCheckpoints.filter((c) => !later.includes(c)),
  );
  const beyond = new Set(later.filter((c) => !fromFile.some((f) => f.seq === c.seq)).map((c) => c.seq)).size;
  const verifier = new ChainVerifier(new Set(checkpoints.map((c) => c.seq)));
  for await (const { value, line } of lines(path)) {
    const v = value as Partial<ChainedEvent> & { type?: string };
    if (v.type !== 'event') continue;
    if (typeof v.seq !== 'number' || typeof v.hash !== 'string' || typeof v.prevHash !== 'string') {
      throw new Error(`${path} line ${line}: not an audit event`);
    }
    const { type: _t, ...event } = v;
    verifier.addEvent(event as ChainedEvent);
    if (verifier.failed) break;
  }
  const report = verifier.finish(checkpoints, new Map([[keyIdOf(key), key]]));
  if (exportedTo !== undefined && report.ok && report.lastSeq < exportedTo) {
    const from = report.lastSeq + 1;
    return {
      ...report,
      ok: false,
      firstBrokenSeq: from,
      reason: `the export's header says it ends at event ${exportedTo} but its events end at ${report.lastSeq}: events ${from}..${exportedTo} were cut`,
    };
  }
  if (beyond > 0) {
    report.notes = [
      `${beyond} checkpoint(s) after event ${exportedTo}, where this export ends, were not checked: ` +
        'they vouch for later events; check them against a newer export or online',
    ];
  }
  return report;
}

async function* lines(path: string): AsyncGenerator<{ value: unknown; line: number }> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    try {
      yield { value: JSON.parse(text) as unknown, line: n };
    } catch {
      throw new Error(`${path} line ${n} is not JSON`);
    }
  }
}
