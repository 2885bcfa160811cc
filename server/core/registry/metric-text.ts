/**
 * config.json `metrics` as written. Guide table 4-2 keeps each value to 17 decimal places and
 * truncates longer ones; JSON.parse would round them to the nearest double first
 * (0.12345678901234567 → 0.12345678901234566), so the numbers' source text is read instead.
 */

export const METRIC_PLACES = 17;

/** Source text of every number directly under the top-level `metrics` object (the last duplicate wins, as in JSON.parse). */
export function metricSourceTexts(json: string): Record<string, string> {
  const found: Record<string, string> = {};
  try {
    new JsonScanner(json, found).document();
  } catch {
    // Invalid JSON is reported by JSON.parse; without texts the parsed values are used.
  }
  return found;
}

/** Cuts a JSON number's text to `places` decimal places without rounding: "0.123456789012345678" → "0.12345678901234567". */
export function truncateDecimal(text: string, places = METRIC_PLACES): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return text;
  const [, sign, int, frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp); // position of the decimal point within `digits`
  if (point < -places) return '0';
  if (point > 400) return text; // beyond any double; the schema has refused it already
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const whole = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(at, at + places).replace(/0+$/, '');
  const value = fraction ? `${whole}.${fraction}` : whole;
  return sign && /[1-9]/.test(value) ? `-${value}` : value;
}

/** A minimal JSON reader that walks an already valid document and records the metric numbers' text. */
class JsonScanner {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly found: Record<string, string>,
  ) {}

  document(): void {
    this.value([]);
  }

  private value(path: string[]): void {
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') return void this.string();
    const literal = /true|false|null/y;
    literal.lastIndex = this.i;
    if (literal.test(this.s)) {
      this.i = literal.lastIndex;
      return;
    }
    const number = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = this.i;
    const m = number.exec(this.s);
    if (!m) throw new Error(`unexpected character at ${this.i}`);
    this.i = number.lastIndex;
    if (path.length === 2 && path[0] === 'metrics') this.found[path[1]] = m[0];
  }

  private object(path: string[]): void {
    this.i++;
    this.space();
    if (this.s[this.i] === '}') return void this.i++;
    for (;;) {
      this.space();
      const key = this.string();
      this.space();
      this.expect(':');
      // Only the top-level path matters; deeper keys are tracked to tell metrics.f1 from apis[0].metrics.f1.
      this.value([...path, key]);
      this.space();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      return this.expect('}');
    }
  }

  private array(path: string[]): void {
    this.i++;
    this.space();
    if (this.s[this.i] === ']') return void this.i++;
    for (;;) {
      this.value([...path, '[]']);
      this.space();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      return this.expect(']');
    }
  }

  private string(): string {
    const quoted = /"(?:[^"\\]|\\.)*"/y;
    quoted.lastIndex = this.i;
    const m = quoted.exec(this.s);
    if (!m) throw new Error(`expected a string at ${this.i}`);
    this.i = quoted.lastIndex;
    return JSON.parse(m[0]) as string;
  }

  private space(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t' || this.s[this.i] === '\n' || this.s[this.i] === '\r') this.i++;
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) throw new Error(`expected ${c} at ${this.i}`);
    this.i++;
  }
}
