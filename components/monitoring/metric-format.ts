/** How the monitoring tab writes a metric's value in its unit (table 5-1's units). */
export function formatMetricValue(v: number, unit: string): string {
  if (unit === '%') return `${round(v, Math.abs(v) < 1 && v !== 0 ? 2 : 1)}%`;
  if (unit === 'ms') return `${round(v, v < 10 ? 2 : 1)} ms`;
  if (unit === 'bit/min') {
    const [scaled, prefix] = v >= 1e9 ? [v / 1e9, 'G'] : v >= 1e6 ? [v / 1e6, 'M'] : v >= 1e3 ? [v / 1e3, 'k'] : [v, ''];
    return `${round(scaled, 1)} ${prefix}bit/min`;
  }
  return String(round(v, Number.isInteger(v) ? 0 : 1));
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
