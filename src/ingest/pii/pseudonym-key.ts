import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';

/** A problem with the pseudonym key file; the message says what to do. */
export class PseudonymKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PseudonymKeyError';
  }
}

const MIN_KEY_BYTES = 32;

/**
 * The HMAC key for caller pseudonyms lives outside the database, so a database dump alone
 * cannot re-identify callers by hashing candidate numbers. `PSEUDONYM_KEY_FILE` names a
 * shared key (several instances must use the same one; it is never created for you);
 * otherwise `DATA_DIR/keys/pseudonym.key` is created on first use with mode 0600.
 */
export async function loadPseudonymKey(config: Pick<AppConfig, 'dataDir' | 'pseudonymKeyFile'>): Promise<Buffer> {
  if (config.pseudonymKeyFile) return readKey(config.pseudonymKeyFile, 'PSEUDONYM_KEY_FILE');
  const path = join(config.dataDir, 'keys', 'pseudonym.key');
  try {
    return await readKey(path, 'DATA_DIR/keys/pseudonym.key');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(path, randomBytes(MIN_KEY_BYTES).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readKey(path, 'DATA_DIR/keys/pseudonym.key');
}

async function readKey(path: string, label: string): Promise<Buffer> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && label !== 'PSEUDONYM_KEY_FILE') throw e;
    throw new PseudonymKeyError(
      err.code === 'ENOENT'
        ? `${label}: ${path} does not exist; create it once (e.g. "openssl rand -hex 32 > ${path} && chmod 600 ${path}") and share it between instances`
        : `${label}: cannot read ${path} (${err.code ?? err.message})`,
    );
  }
  if (!stat.isFile()) throw new PseudonymKeyError(`${label}: ${path} is not a file`);
  // Group bits too: anyone in the file's group holding the key could reverse caller pseudonyms.
  if ((stat.mode & 0o077) !== 0) {
    const who = (stat.mode & 0o007) !== 0 ? 'everyone' : 'its group';
    throw new PseudonymKeyError(`${label}: ${path} is open to ${who}; run "chmod 600 ${path}"`);
  }
  const text = (await fs.readFile(path, 'utf8')).trim();
  const key = /^[0-9a-fA-F]+$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'utf8');
  if (key.length < MIN_KEY_BYTES) {
    throw new PseudonymKeyError(
      `${label}: ${path} holds ${key.length} bytes; use at least ${MIN_KEY_BYTES} random bytes (e.g. "openssl rand -hex 32")`,
    );
  }
  return key;
}
