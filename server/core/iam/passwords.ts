/**
 * Passwords: scrypt with a per-password salt, stored as `scrypt$<salt>$<hash>`. Verification runs
 * off the event loop on low-priority worker threads (`scrypt-pool.ts`) and costs the same whether or
 * not the user exists, so a burst of logins neither blocks nor starves predictions and reveals no
 * user names.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { scryptLowPriority } from './scrypt-pool';

/** A hash of a random password nobody knows: unknown users are checked against it, at the same cost as real ones. */
const UNKNOWN_USER_HASH = 'scrypt$Gs9W9VpGGRlEjFeWD7zznQ==$hr3RdIBzMtNQuvb3me5g3qg1Q5Plfcjs38L9BUQ3epI=';

/** Hashes a new password off the event loop (users created or reset while Anvil serves). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${(await scryptLowPriority(password, salt, 32)).toString('base64')}`;
}

/** The same, synchronously: only for the first start, before Anvil serves anything. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/** Constant-time check of a password against its stored hash; with no stored hash (unknown user) it still does the work, and fails. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? UNKNOWN_USER_HASH).split('$');
  const isWellFormed = scheme === 'scrypt' && !!salt && !!hash;
  const [, dummySalt, dummyHash] = UNKNOWN_USER_HASH.split('$');
  const expected = Buffer.from(isWellFormed ? hash : dummyHash, 'base64');
  const derived = await scryptLowPriority(password, Buffer.from(isWellFormed ? salt : dummySalt, 'base64'), expected.length);
  return timingSafeEqual(derived, expected) && stored !== undefined && isWellFormed;
}
