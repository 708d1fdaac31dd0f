import { generateKeyPairSync } from 'node:crypto';
import { deepFreeze } from '../common/deep-freeze.js';
import { canonicalJson } from '../common/canonical-json.js';
import {
  ChainedEvent,
  ChainVerifier,
  GENESIS_HASH,
  hashEvent,
  keyIdOf,
  signCheckpoint,
  storableJson,
  storableText,
  UnhashedEvent,
} from './audit-chain.js';

function chain(n: number): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e: UnhashedEvent = {
      seq,
      prevHash,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      principalId: `p${seq % 3}`,
      role: 'researcher',
      organizationId: null,
      apiKeyId: null,
      licenseId: 'lic',
      operation: 'aggregate',
      datasetSlug: 'hotline-cases',
      query: { measures: ['cases'], n: seq },
      resultSize: seq,
      cellsSuppressed: 0,
      decision: 'allowed',
      reason: null,
      target: null,
      requestId: `r${seq}`,
      clientAddress: '127.0.0.1',
    };
    const hash = hashEvent(e);
    out.push({ ...e, hash });
    prevHash = hash;
  }
  return out;
}

describe(ChainVerifier.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(publicKey);
  const keys = new Map([[keyId, publicKey]]);
  const checkpointAt = (events: ChainedEvent[], seq: number) =>
    signCheckpoint({ seq, headHash: events[seq - 1].hash, createdAt: '2026-01-01T00:00:00.000Z', keyId }, privateKey);

  const run = (events: ChainedEvent[], checkpoints = [checkpointAt(chain(10), 10)]) => {
    const sut = new ChainVerifier();
    events.forEach((e) => sut.addEvent(e));
    return sut.finish(checkpoints, keys);
  };

  it('accepts an intact chain anchored by a checkpoint', () => {
    expect(run(chain(10))).toMatchObject({ ok: true, eventsChecked: 10, lastCheckpointSeq: 10, unanchoredEvents: 0 });
  });

  it('counts events after the last checkpoint as unanchored', () => {
    const events = chain(12);
    expect(run(events, [checkpointAt(events, 10)])).toMatchObject({ ok: true, unanchoredEvents: 2 });
  });

  it('names an altered event', () => {
    const events = chain(10);
    events[4] = { ...events[4], resultSize: 999 };
    expect(run(events)).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  });

  it('refuses a checkpoint signed by another key', () => {
    const other = generateKeyPairSync('ed25519');
    const events = chain(10);
    const forged = signCheckpoint(
      { seq: 10, headHash: events[9].hash, createdAt: '2026-01-01T00:00:00.000Z', keyId },
      other.privateKey,
    );
    expect(run(events, [forged])).toMatchObject({
      ok: false,
      firstBrokenSeq: 10,
      reason: expect.stringMatching(/invalid signature/),
    });
  });
});

describe(storableText.name, () => {
  it('replaces NUL and lone surrogates, which PostgreSQL would refuse or change', () => {
    expect(storableText('a\u0000b\ud800c\udc00😀')).toBe('a\uFFFDb\uFFFDc\uFFFD😀');
    expect(storableJson({ 'k\u0000': ['\ud800'], d: new Date(0) })).toEqual({
      'k\uFFFD': ['\uFFFD'],
      d: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe('canonical and storable forms of frozen values', () => {
  const query = () => ({ measures: ['cases'], groupBy: [{ level: 'city', dimension: 'area' }], note: 'a\u0000b' });

  it('gives a deeply frozen value the same text and copy as an equal value that is not frozen', () => {
    const frozen = deepFreeze(query());
    expect(canonicalJson(frozen)).toBe(canonicalJson(query()));
    expect(storableJson(frozen)).toEqual(storableJson(query()));
  });

  it('follows values that change (nothing is remembered between calls)', () => {
    const open = query();
    const before = canonicalJson(open);
    open.measures.push('avgHandlingDays');
    expect(canonicalJson(open)).not.toBe(before);
    const shallow = Object.freeze(query());
    const first = canonicalJson(shallow);
    shallow.measures.push('onTimeRate');
    expect(canonicalJson(shallow)).not.toBe(first);
  });
});
