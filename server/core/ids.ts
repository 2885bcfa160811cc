import { randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();
/** A URL-safe secret of `bytes` random bytes. */
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const now = (): number => Date.now();
