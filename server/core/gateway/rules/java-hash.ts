/**
 * Java's `String.hashCode()` and int `%`, bit for bit: bucketing rules such as
 * `#HEADER_uid.hashCode() % 100 < 10` must put each caller in the bucket ModelArts (a Java service) would.
 */

/** Java `String.hashCode()`: s[0]*31^(n-1) + … + s[n-1] over UTF-16 code units, in 32-bit signed arithmetic. */
export function javaStringHashCode(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}

/** Java int `a % b`: truncated division, so the result keeps the sign of the dividend (-7 % 3 == -1). */
export function javaRemainder(a: number, b: number): number {
  if ((b | 0) === 0) throw new RangeError('Division by zero: a remainder needs a non-zero divisor.');
  // `| 0` keeps both operands 32-bit ints and turns JavaScript's -0 (e.g. MIN_VALUE % -1) into Java's 0.
  return ((a | 0) % (b | 0)) | 0;
}
