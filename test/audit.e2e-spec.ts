import type { Actor } from '../src/access-policy/actor.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditRecorder } from '../src/audit/audit-recorder.js';
import { checkpointSignatureValid, publicKeyFromPem } from '../src/audit/audit-chain.js';
import { AuditService } from '../src/audit/audit.service.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

const EVENTS = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id seq principalId role operation datasetSlug licenseId decision reason query resultSize requestId clientAddress hash prevHash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const INTEGRITY = `{ auditIntegrity { ok firstBrokenSeq reason eventsChecked lastSeq checkpointsChecked unanchoredEvents } }`;
const CHECKPOINTS = `{ auditCheckpoints { publicKeyPem keyId checkpoints { seq headHash createdAt keyId signature } } }`;

type Node = {
  id: string;
  seq: number;
  principalId: string | null;
  operation: string;
  decision: string;
  reason: string;
};

describe('audit log (GraphQL)', () => {
  let t: TestApp;
  let recorder: AuditRecorder;
  const auditor = { role: 'auditor' as const, principalId: 'p-auditor', organizationId: 'org-audit' };
  const alice = { role: 'researcher' as const, principalId: 'p-alice', organizationId: 'org-uni' };
  const bob = { role: 'researcher' as const, principalId: 'p-bob', organizationId: 'org-inst' };
  const steward = { role: 'steward' as const, principalId: 'p-steward', organizationId: 'org-hotline' };

  const events = async (token: string, variables: Record<string, unknown> = {}) => {
    const res = await t.gql(EVENTS, variables, token).expect(200);
    return res.body as {
      data: {
        auditEvents: { edges: { cursor: string; node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      };
      errors?: { extensions: { code: string }; message: string }[];
    };
  };

  beforeAll(async () => {
    t = await createTestApp({ AUDIT_CHECKPOINT_EVERY: '5' });
    registerTestCredentials(t.app, { auditor, alice, bob, steward });
    recorder = t.app.get(AuditRecorder);
    for (let i = 0; i < 3; i++) {
      await recorder.record(
        { ...alice, authMethod: 'api-key', requestId: `req-a${i}`, clientAddress: '10.0.0.1' },
        {
          operation: 'aggregate',
          decision: 'allowed',
          datasetSlug: 'hotline-cases',
          licenseId: 'lic-1',
          query: { measures: ['cases'], groupBy: [{ dimension: 'area', level: 'city' }] },
          resultSize: 13,
          cellsSuppressed: 2,
        },
      );
    }
    await recorder.record(
      { ...bob, authMethod: 'api-key' },
      { operation: 'aggregate', decision: 'denied', reason: 'LICENSE_REQUIRED', datasetSlug: 'hotline-cases' },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  describe('auditEvents', () => {
    it('refuses the public, and records the refusal', async () => {
      const res = await t.gql(EVENTS, {}).expect(200);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(res.body.data).toBeNull();
      const log = await events('auditor', { filter: { operation: 'auditEvents', decision: 'denied' } });
      expect(log.data.auditEvents.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({
          role: 'public',
          principalId: null,
          decision: 'denied',
          reason: expect.stringMatching(/^FORBIDDEN: /),
        }),
      ]);
    });

    it('refuses stewards: they manage, so they may not browse the log about themselves', async () => {
      const res = await events('steward');
      expect(res.errors?.[0].extensions.code).toBe('FORBIDDEN');
    });

    it('records one event per unauthenticated request, however many fields it asks for', async () => {
      const res = await t
        .gql(
          '{ a: auditIntegrity { ok } b: auditCheckpoints { keyId } c: auditEvents { pageInfo { hasNextPage } } }',
          {},
          'hgw_not_a_key',
        )
        .expect(200);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.body.data).toBeNull();
      const log = await events('auditor', { filter: { decision: 'denied' } });
      const unauth = log.data.auditEvents.edges.filter((e) => e.node.reason.startsWith('UNAUTHENTICATED'));
      expect(unauth).toHaveLength(1);
      expect(unauth[0].node.operation).toBe('auditIntegrity');
      expect(JSON.parse((unauth[0].node as unknown as { query: string }).query)).toEqual({
        deniedFields: ['auditIntegrity'],
        operationType: 'query',
      });
    });

    it('does not record a denial twice when the service already recorded it, and ties that to the request, not its id (finding: a client-chosen X-Request-Id hides denials)', async () => {
      const audit = t.app.get(AuditService);
      const actor: Actor = { role: 'public', authMethod: 'none', requestId: 'r-dup' };
      await audit.record(actor, { operation: 'aggregate', decision: 'denied' });
      // Another request that sent the same X-Request-Id has recorded nothing yet.
      expect(audit.takeRecordedDenials({ role: 'public', authMethod: 'none', requestId: 'r-dup' }).size).toBe(0);
      expect([...audit.takeRecordedDenials(actor)]).toEqual(['aggregate']);
      expect(audit.takeRecordedDenials(actor).size).toBe(0);
    });

    it('shows researchers their own events only, whatever the filter says', async () => {
      const own = await events('alice');
      const principals = new Set(own.data.auditEvents.edges.map((e) => e.node.principalId));
      expect([...principals]).toEqual(['p-alice']);
      expect(own.data.auditEvents.edges.filter((e) => e.node.operation === 'aggregate')).toHaveLength(3);
      const snooping = await events('alice', { filter: { principalId: 'p-bob' } });
      expect(snooping.data.auditEvents.edges).toEqual([]);
    });

    it('lets auditors filter by principal, licence, dataset, decision and time, newest first', async () => {
      const res = await events('auditor', {
        filter: {
          principalId: 'p-alice',
          licenseId: 'lic-1',
          datasetSlug: 'hotline-cases',
          decision: 'allowed',
          operation: 'aggregate',
          from: '2000-01-01T00:00:00Z',
          to: '2999-01-01T00:00:00Z',
        },
      });
      const nodes = res.data.auditEvents.edges.map((e) => e.node);
      expect(nodes).toHaveLength(3);
      expect(nodes.map((n) => n.seq)).toEqual([...nodes.map((n) => n.seq)].sort((a, b) => b - a));
      expect(nodes[0]).toMatchObject({ id: String(nodes[0].seq), clientAddress: '10.0.0.1', resultSize: 13 });
      expect(JSON.parse((nodes[0] as unknown as { query: string }).query)).toEqual({
        groupBy: [{ dimension: 'area', level: 'city' }],
        measures: ['cases'],
      });
      const denied = await events('auditor', { filter: { principalId: 'p-bob' } });
      expect(denied.data.auditEvents.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({ decision: 'denied', reason: 'LICENSE_REQUIRED' }),
      ]);
      const future = await events('auditor', { filter: { from: '2999-01-01T00:00:00Z' } });
      expect(future.data.auditEvents.edges).toEqual([]);
    });

    it('pages with cursors without gaps or repeats', async () => {
      const all = await events('auditor', { first: 500 });
      const seqs: number[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await events('auditor', { first: 2, after, filter: { to: '2999-01-01T00:00:00Z' } });
        seqs.push(...page.data.auditEvents.edges.map((e) => e.node.seq));
        if (!page.data.auditEvents.pageInfo.hasNextPage) break;
        after = page.data.auditEvents.pageInfo.endCursor;
      }
      // Every event that existed when we listed them all shows up exactly once while paging.
      const listed = all.data.auditEvents.edges.map((e) => e.node.seq);
      expect(seqs.filter((s) => listed.includes(s))).toEqual(listed);
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it.each([
      [{ first: 0 }, /first must be a whole number from 1 to 500/],
      [{ first: 501 }, /first must be a whole number from 1 to 500/],
      [{ after: 'bm9wZQ' }, /not a cursor/],
      [{ filter: { from: 'yesterday' } }, /from must be an ISO-8601 time/],
      [{ filter: { decision: 'maybe' } }, /decision must be "allowed" or "denied"/],
    ])('answers bad input %j with BAD_USER_INPUT', async (variables, message) => {
      const res = await events('auditor', variables);
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message).toMatch(message);
    });
  });

  describe('auditIntegrity', () => {
    it('refuses researchers', async () => {
      const res = await t.gql(INTEGRITY, {}, 'alice').expect(200);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('reports an intact chain to auditors and stewards', async () => {
      for (const token of ['auditor', 'steward']) {
        const res = await t.gql(INTEGRITY, {}, token).expect(200);
        expect(res.body.data.auditIntegrity).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null });
        expect(res.body.data.auditIntegrity.eventsChecked).toBe(res.body.data.auditIntegrity.lastSeq);
        expect(res.body.data.auditIntegrity.checkpointsChecked).toBeGreaterThan(0);
      }
    });
  });

  describe('auditCheckpoints', () => {
    it('refuses researchers', async () => {
      const res = await t.gql(CHECKPOINTS, {}, 'alice').expect(200);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('publishes signed checkpoints (every N events) and the public key, also on disk', async () => {
      const res = await t.gql(CHECKPOINTS, {}, 'auditor').expect(200);
      const { publicKeyPem, keyId, checkpoints } = res.body.data.auditCheckpoints;
      expect(publicKeyPem).toBe(readFileSync(join(t.config.dataDir, 'audit', 'signing-key.pub.pem'), 'utf8'));
      expect(checkpoints.length).toBeGreaterThan(0);
      const key = publicKeyFromPem(publicKeyPem);
      for (const c of checkpoints) {
        expect(c.keyId).toBe(keyId);
        expect(checkpointSignatureValid(c, key)).toBe(true);
      }
      const file = readFileSync(join(t.config.dataDir, 'audit', 'checkpoints.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(file.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(
        expect.arrayContaining(checkpoints.map((c: { seq: number }) => c.seq)),
      );
      const signingKey = join(t.config.dataDir, 'keys', 'audit-signing.key');
      expect(readFileSync(signingKey, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
      const { statSync } = await import('node:fs');
      expect(statSync(signingKey).mode & 0o777).toBe(0o600);
    });
  });

  describe('append-only guard', () => {
    it.each([
      ['UPDATE', `UPDATE audit_event SET reason = 'edited' WHERE seq = 1`],
      ['DELETE', `DELETE FROM audit_event WHERE seq = 1`],
      ['TRUNCATE', `TRUNCATE audit_event`],
      ['UPDATE', `UPDATE audit_checkpoint SET head_hash = 'x'`],
      ['DELETE', `DELETE FROM audit_checkpoint`],
      ['TRUNCATE', `TRUNCATE audit_checkpoint`],
    ])('refuses %s (%s), even in replica mode', async (_op, sql) => {
      await expect(t.dataSource.query(sql)).rejects.toThrow(/append-only/);
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query(`SET session_replication_role = replica`);
        await expect(runner.query(sql)).rejects.toThrow(/append-only/);
      } finally {
        await runner.query(`RESET session_replication_role`);
        await runner.release();
      }
    });
  });

  describe('fail closed', () => {
    it('answers SERVICE_UNAVAILABLE with no data when the audit write fails', async () => {
      await t.dataSource.query(`
        CREATE FUNCTION test_audit_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$;
        CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_audit_down();`);
      try {
        const res = await t.gql(EVENTS, {}, 'auditor').expect(200);
        expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.body.data).toBeNull();
        await expect(
          recorder.record({ ...alice, authMethod: 'api-key' }, { operation: 'aggregate', decision: 'allowed' }),
        ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      } finally {
        await t.dataSource.query(`DROP TRIGGER test_audit_down ON audit_event; DROP FUNCTION test_audit_down();`);
      }
      const res = await t.gql(INTEGRITY, {}, 'auditor').expect(200);
      expect(res.body.data.auditIntegrity.ok).toBe(true);
    });
  });
});
