import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { keyIdOf } from './audit-chain.js';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
  /** Where the private key lives (never its content). */
  path: string;
}

/** Where the checkpoint-signing key lives: AUDIT_SIGNING_KEY_FILE, else DATA_DIR/keys/audit-signing.key. */
export function signingKeyPath(config: AppConfig): string {
  return config.auditSigningKeyFile ?? join(config.dataDir, 'keys', 'audit-signing.key');
}

export function auditDir(config: AppConfig): string {
  return join(config.dataDir, 'audit');
}

export function publicKeyPath(config: AppConfig): string {
  return join(auditDir(config), 'signing-key.pub.pem');
}

export function checkpointsFilePath(config: AppConfig): string {
  return join(auditDir(config), 'checkpoints.jsonl');
}

/**
 * Loads the Ed25519 checkpoint-signing key, generating it (0600) on first use when
 * `create` is set. The key stays outside the database, so a database superuser who
 * rewrites the chain cannot sign a matching checkpoint. Several instances share it by
 * pointing AUDIT_SIGNING_KEY_FILE at the same file; creation is exclusive, so two
 * instances starting together end up with the same key.
 */
export function loadSigningKey(config: AppConfig, create: boolean): AuditSigningKey | undefined {
  const path = signingKeyPath(config);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the audit signing key ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
        cause: err,
      });
    }
    pem = createKeyFile(path);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`the audit signing key ${path} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the audit signing key ${path} must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  }
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) throw new Error(`the audit signing key ${path} is readable by others; chmod 600 it`);
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKey, publicKeyPem, keyId: keyIdOf(publicKey), path };
}

function createKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  // Exclusive claim of the final name: whoever loses the race reads the winner's key.
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(tmp, { force: true });
    // The winner renames its key over the placeholder a moment later.
    for (let i = 0; i < 50; i++) {
      const winner = readFileSync(path, 'utf8');
      if (winner.includes('END PRIVATE KEY')) return winner;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    throw new Error(`the audit signing key ${path} exists but is empty`, { cause: err });
  }
  renameSync(tmp, path);
  return pem;
}

/** Publishes the public key next to the checkpoints file, where auditors fetch it. */
export function publishPublicKey(config: AppConfig, key: AuditSigningKey): void {
  mkdirSync(auditDir(config), { recursive: true });
  const path = publicKeyPath(config);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== key.publicKeyPem) writeFileSync(path, key.publicKeyPem, { mode: 0o644 });
}
