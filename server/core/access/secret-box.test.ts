import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE, SecretBox, sameSecret } from './secret-box';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-box-'));

describe('SecretBox', () => {
  it('creates a 0600 key file once and opens what it sealed after a restart', () => {
    const dir = tempDir();
    const sealed = SecretBox.open(dir).seal('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc');
    expect(sealed).not.toContain('MFyfvK41');
    expect(fs.statSync(path.join(dir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(SecretBox.open(dir).open(sealed)).toBe('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc');
  });

  it('refuses a value sealed under another key or altered', () => {
    const sealed = SecretBox.open(tempDir()).seal('secret');
    expect(() => SecretBox.open(tempDir()).open(sealed)).toThrow();
    const box = SecretBox.open('', 'ab'.repeat(32));
    const mine = box.seal('secret');
    const [version, iv, tag, body] = mine.split(':');
    const altered = Buffer.from(body, 'base64');
    altered[0] ^= 1;
    expect(() => box.open([version, iv, tag, altered.toString('base64')].join(':'))).toThrow();
    expect(box.open(mine)).toBe('secret');
  });

  it('takes ANVIL_MASTER_KEY as hex or base64 and writes no key file then', () => {
    const dir = tempDir();
    const hex = SecretBox.open(dir, '01'.repeat(32));
    const b64 = SecretBox.open(dir, Buffer.alloc(32, 1).toString('base64'));
    expect(b64.open(hex.seal('x'))).toBe('x');
    expect(fs.existsSync(path.join(dir, MASTER_KEY_FILE))).toBe(false);
  });

  it('compares secrets without regard to where they differ', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
