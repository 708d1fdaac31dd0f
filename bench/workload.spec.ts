import { ACCOUNTS, CATALOGUE_SIZE, generateWorkload, ROLE_SHARE, Role } from './workload.js';

describe(generateWorkload.name, () => {
  const sut = generateWorkload({ seed: 'spec', count: 20_000 });

  it('gives the same requests for the same seed, and other requests for another seed', () => {
    const again = generateWorkload({ seed: 'spec', count: 20_000 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(sut));
    const other = generateWorkload({ seed: 'other', count: 20_000 });
    const same = other.requests.filter((r, i) => r.key === sut.requests[i].key).length;
    expect(same / other.requests.length).toBeLessThan(0.2);
  });

  it('asks in the stated proportions by role, within two percentage points', () => {
    const counts = new Map<Role, number>();
    for (const r of sut.requests) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
    for (const [role, share] of Object.entries(ROLE_SHARE) as [Role, number][]) {
      expect(Math.abs((counts.get(role) ?? 0) / sut.requests.length - share)).toBeLessThan(0.02);
    }
  });

  it('has every role but the public ask from its own accounts, and only researchers under a licence', () => {
    for (const [role, n] of Object.entries(ACCOUNTS)) {
      expect(sut.accounts.filter((a) => a.role === role)).toHaveLength(n);
    }
    const ids = new Set(sut.accounts.map((a) => a.id));
    const wrong = sut.requests.filter((r) =>
      r.role === 'public'
        ? r.account !== undefined || !/^10\.\d+\.\d+\.7$/.test(r.address ?? '') || r.licensed
        : !ids.has(r.account!) || r.licensed !== (r.role === 'researcher'),
    );
    expect(wrong).toEqual([]);
    expect(
      sut.accounts.filter((a) => a.role === 'department').every((a) => /^32\d{4}-d\d+$/.test(a.departmentCode!)),
    ).toBe(true);
  });

  it('keeps the public on the open dataset and auditors on the access log', () => {
    const datasetsOf = (role: Role) =>
      [...new Set(sut.requests.filter((r) => r.role === role).map((r) => r.aggregate?.dataset))].sort();
    expect(datasetsOf('public')).toEqual(['hotline-cases-open']);
    expect(datasetsOf('department')).toEqual(['hotline-cases']);
    expect(datasetsOf('researcher')).toEqual(['hotline-cases']);
    expect(datasetsOf('steward')).toEqual(['call-traffic', 'hotline-cases']);
    expect(datasetsOf('auditor')).toEqual([undefined]);
    expect(sut.requests.filter((r) => (r.role === 'auditor') !== (r.auditEvents !== undefined))).toEqual([]);
  });
  it('asks many distinct questions, popular ones far more often than the tail', () => {
    const byKey = new Map<string, number>();
    for (const r of sut.requests) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
    expect(byKey.size).toBeGreaterThan(1_000);
    const counts = [...byKey.values()].sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThan(20 * counts[Math.floor(counts.length / 2)]);
    // Each caller's catalogue is the size stated (the public's shared by every address).
    const publicKeys = new Set(sut.requests.filter((r) => r.role === 'public').map((r) => r.key));
    expect(publicKeys.size).toBeLessThanOrEqual(CATALOGUE_SIZE.public);
    expect(publicKeys.size).toBeGreaterThan(CATALOGUE_SIZE.public / 2);
  });

  it('gives each researcher fewer distinct questions than a licence budget of 2,000', () => {
    const perAccount = new Map<string, Set<string>>();
    for (const r of sut.requests.filter((x) => x.licensed)) {
      perAccount.set(r.account!, (perAccount.get(r.account!) ?? new Set()).add(r.key));
    }
    expect(perAccount.size).toBe(ACCOUNTS.researcher);
    for (const keys of perAccount.values()) expect(keys.size).toBeLessThanOrEqual(CATALOGUE_SIZE.researcher);
  });
});
