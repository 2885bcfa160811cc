import { describe, expect, it } from 'vitest';
import { javaRemainder, javaStringHashCode } from './java-hash';

// Expected values printed by OpenJDK 17 (`s.hashCode()` and `s.hashCode() % n`).
const JAVA_HASHES: [string, number][] = [
  ['', 0],
  ['a', 97],
  ['hello', 99162322],
  ['Aa', 2112],
  ['BB', 2112],
  ['uid-1', 111277556],
  ['uid-10', -845363012],
  ['uid-123456', -1400491392],
  ['user-1007', 291298600],
  ['polygenelubricants', -2147483648],
  ['a-very-long-user-identifier-0123456789', 562971757],
  ['é', 233],
  ['中文', 646394],
  ['😀', 1772899], // two UTF-16 code units, hashed separately as Java does
];

describe('javaStringHashCode', () => {
  it.each(JAVA_HASHES)('%j.hashCode() == %i', (s, expected) => {
    expect(javaStringHashCode(s)).toBe(expected);
  });

  it('agrees with the defining polynomial, s[0]*31^(n-1) + … + s[n-1] mod 2^32 read as signed', () => {
    for (const [s] of JAVA_HASHES) {
      let sum = 0n;
      for (let i = 0; i < s.length; i++) sum = sum * 31n + BigInt(s.charCodeAt(i));
      expect(javaStringHashCode(s)).toBe(Number(BigInt.asIntN(32, sum)));
    }
  });
});

describe('javaRemainder', () => {
  it('keeps the sign of the dividend, as Java int % does', () => {
    expect(javaRemainder(-7, 3)).toBe(-1);
    expect(javaRemainder(7, -3)).toBe(1);
    expect(javaRemainder(-845363012, 100)).toBe(-12); // "uid-10".hashCode() % 100 in Java
    expect(javaRemainder(-1400491392, 7)).toBe(-6);
    expect(javaRemainder(-2147483648, 100)).toBe(-48);
  });

  it('gives 0 (not -0) for Integer.MIN_VALUE % -1, and refuses a zero divisor', () => {
    expect(Object.is(javaRemainder(-2147483648, -1), 0)).toBe(true);
    expect(() => javaRemainder(5, 0)).toThrow(RangeError);
  });
});
