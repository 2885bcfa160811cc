/**
 * Passwords: scrypt with a per-password salt, stored as `scrypt$<salt>$<hash>`. Verification runs
 * off the event loop (async scrypt on libuv's pool), costs the same whether or not the user exists,
 * and takes at most half the cores (and two pool threads), so a burst of logins leaves CPU for
 * predictions and pool threads for file I/O and zlib.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** A hash of a random password nobody knows: unknown users are checked against it, at the same cost as real ones. */
const UNKNOWN_USER_HASH = 'scrypt$Gs9W9VpGGRlEjFeWD7zznQ==$hr3RdIBzMtNQuvb3me5g3qg1Q5Plfcjs38L9BUQ3epI=';
/** At most half the cores (1 to 2) hash at once: a login burst never takes the CPU that serves predictions. */
const MAX_CONCURRENT_CHECKS = Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2)));

/** Hashes a new password (an administrator's action: synchronous, as at bootstrap). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/** Constant-time check of a password against its stored hash; with no stored hash (unknown user) it still does the work, and fails. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? UNKNOWN_USER_HASH).split('$');
  const isWellFormed = scheme === 'scrypt' && !!salt && !!hash;
  const [, dummySalt, dummyHash] = UNKNOWN_USER_HASH.split('$');
  const expected = Buffer.from(isWellFormed ? hash : dummyHash, 'base64');
  const derived = await withCheckSlot(() => deriveKey(password, Buffer.from(isWellFormed ? salt : dummySalt, 'base64'), expected.length));
  return timingSafeEqual(derived, expected) && stored !== undefined && isWellFormed;
}

function deriveKey(password: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, (err, key) => (err ? reject(err) : resolve(key))));
}

let running = 0;
const waiting: (() => void)[] = [];

async function withCheckSlot<T>(work: () => Promise<T>): Promise<T> {
  while (running >= MAX_CONCURRENT_CHECKS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
