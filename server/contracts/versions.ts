/** Version numbers of AI applications (`major.minor.patch`, guide §2.2 default 0.0.1). */
const parts = (v: string) => v.split('.').map(Number);

/** The version after the highest of `versions`: its patch number plus one. */
export function nextVersion(versions: string[]): string {
  const highest = [...versions].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  }).at(-1);
  if (!highest) return '0.0.1';
  const [major, minor, patch] = parts(highest);
  return `${major}.${minor}.${patch + 1}`;
}
