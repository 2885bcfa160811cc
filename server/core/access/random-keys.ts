/** Key material in the formats Huawei Cloud clients expect (uniformly random, rejection-sampled). */
import { randomBytes } from 'node:crypto';

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** An access key id: 20 upper-case letters and digits (e.g. `QTWAOYTTINDUT2QVKYUC`). */
export const newAccessKeyId = (): string => randomFrom(UPPER_DIGITS, 20);
/** A secret access key: 40 letters and digits. */
export const newSecretAccessKey = (): string => randomFrom(ALNUM, 40);
/** An AppKey: 32 hex digits, as API Gateway shows them. */
export const newAppKey = (): string => randomBytes(16).toString('hex');
/** An AppSecret: 32 letters and digits. */
export const newAppSecret = (): string => randomFrom(ALNUM, 32);
/** An AppCode: 64 letters and digits (sent as `X-Apig-AppCode`). */
export const newAppCode = (): string => randomFrom(ALNUM, 64);
/** A service token (`Authorization: Bearer <token>`): 48 letters and digits. */
export const newServiceToken = (): string => randomFrom(ALNUM, 48);
