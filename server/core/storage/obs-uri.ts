/** `obs://bucket/key` addresses. Keys never escape their bucket: no `..`, no absolute paths, no backslashes. */
import { invalid } from '../errors';

export type TObsLocation = { bucket: string; key: string };

/** Splits `obs://bucket/key`; a malformed address or key is an error on `field`. */
export function parseObsUri(uri: string, field = 'uri'): TObsLocation {
  const m = /^obs:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  if (!m) throw invalid(field, `"${uri}" is not an object-storage address (obs://bucket/path).`);
  return { bucket: m[1], key: checkKey(m[2], field) };
}

/** Returns `key` if it stays inside its bucket (no `..`, `.`, leading `/`, backslash or NUL). */
export function checkKey(key: string, field = 'key'): string {
  const parts = key.split('/');
  if (key.startsWith('/') || key.includes('\\') || key.includes('\0') || parts.some((p) => p === '..' || p === '.')) {
    throw invalid(field, `"${key}" is not a valid object key.`);
  }
  // The file system refuses longer names (ENAMETOOLONG); S3 caps keys at 1024 bytes too.
  if (Buffer.byteLength(key) > MAX_KEY_BYTES || parts.some((p) => Buffer.byteLength(p) > MAX_KEY_PART_BYTES)) {
    throw invalid(field, `An object key is at most ${MAX_KEY_BYTES} bytes, each folder or file name at most ${MAX_KEY_PART_BYTES}.`);
  }
  return key;
}

const MAX_KEY_BYTES = 1024;
const MAX_KEY_PART_BYTES = 255;
