/**
 * Encryption at rest for the gateway secrets that must be shown again or used to verify a
 * signature (SK, AppSecret, AppCode, service tokens): AES-256-GCM under one master key, taken from
 * `ANVIL_MASTER_KEY` or, by default, from a key file (mode 0600) created in the data directory.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
export const MASTER_KEY_FILE = 'master.key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The box of `masterKey` (hex or base64 of 32 bytes), else of the data directory's key file, created on first use. */
  static open(dataDir: string, masterKey?: string): SecretBox {
    if (masterKey) return new SecretBox(decodeKey(masterKey));
    const file = path.join(dataDir, MASTER_KEY_FILE);
    try {
      // 'wx': never overwrite a key that encrypted existing secrets.
      fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(file, 0o600);
    return new SecretBox(decodeKey(fs.readFileSync(file, 'utf8').trim()));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
  }

  /** Throws when the value was sealed under another key or altered. */
  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

function decodeKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('The master key must be 32 bytes (64 hex digits or base64).');
  return key;
}

/** What is stored for a secret that only needs checking (AppCodes are looked up by it). */
export const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Constant-time equality of two strings (different lengths are unequal without a timing hint on content). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
