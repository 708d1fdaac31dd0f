import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/app-config.js';
import { loadPseudonymKey, PseudonymKeyError } from './pseudonym-key.js';

describe(loadPseudonymKey.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hgw-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates DATA_DIR/keys/pseudonym.key (0600) on first use and reuses it', async () => {
    const sut = await loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: undefined });
    const path = join(dir, 'keys', 'pseudonym.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(sut.length).toBeGreaterThanOrEqual(32);
    expect(await loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: undefined })).toEqual(sut);
  });

  it('reads the shared key named by PSEUDONYM_KEY_FILE and never creates it', async () => {
    const path = join(dir, 'shared.key');
    await expect(loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).rejects.toThrow(
      /PSEUDONYM_KEY_FILE: .* does not exist; create it once/,
    );
    writeFileSync(path, 'ab'.repeat(32), { mode: 0o600 });
    expect((await loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).toString('hex')).toBe('ab'.repeat(32));
  });

  it('refuses a short or world-readable key with what to do', async () => {
    const path = join(dir, 'short.key');
    writeFileSync(path, 'abcd', { mode: 0o600 });
    await expect(loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).rejects.toThrow(PseudonymKeyError);
    writeFileSync(path, 'ab'.repeat(32));
    chmodSync(path, 0o644);
    await expect(loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).rejects.toThrow(/chmod 600/);
  });

  it('refuses a key its group may read or write (finding: the pseudonym key check ignores group bits)', async () => {
    const path = join(dir, 'group.key');
    writeFileSync(path, 'ab'.repeat(32), { mode: 0o600 });
    for (const mode of [0o640, 0o620, 0o610]) {
      chmodSync(path, mode);
      await expect(loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).rejects.toThrow(
        /open to its group; run "chmod 600/,
      );
    }
    chmodSync(path, 0o600);
    await expect(loadPseudonymKey({ dataDir: dir, pseudonymKeyFile: path })).resolves.toHaveLength(32);
  });

  it('takes PSEUDONYM_KEY_FILE from the environment, relative to the working folder', () => {
    expect(loadConfig({ PSEUDONYM_KEY_FILE: 'keys/p.key' }, '/srv/app').pseudonymKeyFile).toBe('/srv/app/keys/p.key');
    expect(loadConfig({}, '/srv/app').pseudonymKeyFile).toBeUndefined();
    expect(() => loadConfig({ PSEUDONYM_KEY_FILE: '/etc/keys/' })).toThrow(/PSEUDONYM_KEY_FILE: names a folder/);
  });
});
