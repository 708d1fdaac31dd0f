import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config.js';
import { loadSigningKey, signingKeyPath } from './audit-signing-key.js';

describe(loadSigningKey.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hgw-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns nothing when asked not to create a missing key', () => {
    expect(loadSigningKey(loadConfig({ DATA_DIR: dir }), false)).toBeUndefined();
  });

  it('creates DATA_DIR/keys/audit-signing.key (0600) on first use and reuses it', () => {
    const config = loadConfig({ DATA_DIR: dir });
    const sut = loadSigningKey(config, true);
    expect(sut?.path).toBe(join(dir, 'keys', 'audit-signing.key'));
    expect(statSync(signingKeyPath(config)).mode & 0o777).toBe(0o600);
    expect(loadSigningKey(config, true)?.keyId).toBe(sut?.keyId);
  });

  it('uses AUDIT_SIGNING_KEY_FILE and refuses a key others can read', () => {
    const file = join(dir, 'shared.key');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    chmodSync(file, 0o644);
    const config = loadConfig({ DATA_DIR: dir, AUDIT_SIGNING_KEY_FILE: file });
    expect(() => loadSigningKey(config, true)).toThrow(/readable by others; chmod 600 it/);
    chmodSync(file, 0o600);
    expect(loadSigningKey(config, true)?.path).toBe(file);
  });

  it('refuses a key that is not Ed25519', () => {
    const file = join(dir, 'rsa.key');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => loadSigningKey(loadConfig({ DATA_DIR: dir, AUDIT_SIGNING_KEY_FILE: file }), true)).toThrow(
      /must be Ed25519, not rsa/,
    );
  });
});
