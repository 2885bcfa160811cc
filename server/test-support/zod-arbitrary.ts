/**
 * Property-based request bodies from zod schemas (fast-check): a plausible value of the schema's
 * shape, then one mutation that breaks it — a wrong type, an out-of-range number or length, a
 * missing required field, an unknown key, NUL / non-BMP / path-like strings, or a non-object root.
 * Values come from the schema's JSON Schema (`z.toJSONSchema`), which covers the shapes our
 * contracts use: objects, arrays, strings with patterns, numbers with bounds, enums, literals, unions.
 */
import fc from 'fast-check';
import { z } from 'zod';

type TJsonSchema = {
  type?: string | string[];
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  additionalProperties?: boolean | TJsonSchema;
  items?: TJsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: TJsonSchema[];
  oneOf?: TJsonSchema[];
  allOf?: TJsonSchema[];
  $ref?: string;
  $defs?: Record<string, TJsonSchema>;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

const MAX_DEPTH = 5;

/** The JSON Schema of what a client sends (input side, refinements dropped, nothing referenced). */
export function jsonSchemaOf(schema: z.ZodType): TJsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', metadata: z.registry() }) as TJsonSchema;
}

function resolve(root: TJsonSchema, s: TJsonSchema): TJsonSchema {
  if (!s.$ref) return s;
  const name = s.$ref.replace(/^#\/\$defs\//, '');
  return root.$defs?.[name] ?? {};
}

const typeOf = (s: TJsonSchema) => (Array.isArray(s.type) ? s.type[0] : s.type) ?? (s.properties ? 'object' : undefined);

function stringOf(s: TJsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 32;
  if (s.pattern) {
    try {
      // Only the schema's own bounds: a pattern may ask for more than the default 32 characters.
      return fc.stringMatching(new RegExp(s.pattern, 'u')).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
    } catch {
      /* a pattern fast-check cannot generate from: fall back to plain strings */
    }
  }
  if (s.format === 'uri') return fc.webUrl();
  return fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 24)) });
}

/** A value of the schema's shape (valid up to refinements such as cross-field checks). */
export function valueOf(s: TJsonSchema, root: TJsonSchema = s, depth = 0): fc.Arbitrary<unknown> {
  s = resolve(root, s);
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u) => valueOf(u, root, depth + 1)));
  if (s.allOf?.length) return valueOf(s.allOf[0], root, depth + 1);
  switch (typeOf(s)) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, Number.MIN_SAFE_INTEGER), max: Math.min(s.maximum ?? 1000, Number.MAX_SAFE_INTEGER) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > MAX_DEPTH || !s.items) return fc.constant([]);
      const minLength = s.minItems ?? 0;
      return fc.array(valueOf(s.items, root, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object': {
      if (depth > MAX_DEPTH) return fc.constant({});
      const props = Object.entries(s.properties ?? {});
      if (props.length === 0 && typeof s.additionalProperties === 'object') {
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), valueOf(s.additionalProperties, root, depth + 1), { maxKeys: 3 });
      }
      const shape = Object.fromEntries(props.map(([k, v]) => [k, valueOf(v, root, depth + 1)]));
      return fc.record(shape, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Where a mutation can apply: the root and every nested value, with its schema. */
type TSite = { path: (string | number)[]; schema: TJsonSchema };

function sitesOf(value: unknown, s: TJsonSchema, root: TJsonSchema, path: (string | number)[] = []): TSite[] {
  s = resolve(root, s);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) s = resolve(root, variants[0]);
  const sites: TSite[] = [{ path, schema: s }];
  if (Array.isArray(value) && s.items) value.forEach((v, i) => sites.push(...sitesOf(v, s.items!, root, [...path, i])));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (child) sites.push(...sitesOf(v, child, root, [...path, k]));
    }
  }
  return sites;
}

export const MUTATIONS = ['wrong-type', 'out-of-range', 'missing-required', 'extra-junk', 'hostile-string', 'non-object-root'] as const;
export type TMutation = (typeof MUTATIONS)[number];

const VALUES_BY_TYPE: [string, unknown][] = [
  ['integer', 7],
  ['number', 3.5],
  ['string', 'text'],
  ['boolean', true],
  ['null', null],
  ['array', [1, 'two']],
  ['object', { nested: { deeper: [] } }],
];

/** Strings a path, name or free-text field should survive: NUL, non-BMP, lone surrogates, traversal, control characters. */
export const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  '😀'.repeat(3),
  '\uD800',
  'x\uDFFFy',
  '\u202Egnp.exe',
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\..\\system32',
  '..\\..\\x',
  '%00%E0%',
  '<script>alert(1)</script>',
  "'; DROP TABLE services; --",
  '\r\nSet-Cookie: x=y',
  ' ',
  'x'.repeat(70_000),
];

const JUNK_KEYS = ['junk', '__proto__', 'constructor', 'prototype', '../x', '\u0000', '😀', ''];

function setAt(target: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return target;
}

function valueAt(target: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], target);
}

function outOfRange(s: TJsonSchema, pick: number): unknown {
  const type = typeOf(s);
  if (type === 'integer' || type === 'number') {
    const options = [
      s.maximum !== undefined ? s.maximum + 1 : 1e308,
      s.minimum !== undefined ? s.minimum - 1 : -1e308,
      type === 'integer' ? (s.minimum ?? 0) + 0.5 : 1e308,
      Number.MAX_SAFE_INTEGER + 2,
    ];
    return options[pick % options.length];
  }
  if (type === 'string') {
    if (s.minLength && pick % 2 === 0) return '';
    return 'x'.repeat(Math.min((s.maxLength ?? 65_536) + 1, 300_000));
  }
  if (type === 'array') {
    if (s.minItems && pick % 2 === 0) return [];
    return Array.from({ length: (s.maxItems ?? 1000) + 1 }, () => ({}));
  }
  return undefined;
}

/** Applies one mutation; returns the body as it will be sent. */
export function mutate(value: unknown, s: TJsonSchema, kind: TMutation, pick: number): unknown {
  const body = structuredClone(value);
  const sites = sitesOf(body, s, s);
  const site = sites[pick % sites.length];
  const type = typeOf(site.schema);
  switch (kind) {
    case 'wrong-type': {
      const others = VALUES_BY_TYPE.filter(([t]) => t !== type && !(type === 'number' && t === 'integer'));
      return setAt(body, site.path, structuredClone(others[pick % others.length][1]));
    }
    case 'out-of-range': {
      const ranged = sites.filter((x) => outOfRange(x.schema, 0) !== undefined);
      if (ranged.length === 0) return mutate(value, s, 'wrong-type', pick);
      const target = ranged[pick % ranged.length];
      return setAt(body, target.path, outOfRange(target.schema, pick));
    }
    case 'missing-required': {
      const objects = sites.filter((x) => (x.schema.required?.length ?? 0) > 0 && valueAt(body, x.path) && typeof valueAt(body, x.path) === 'object');
      if (objects.length === 0) return mutate(value, s, 'non-object-root', pick);
      const target = objects[pick % objects.length];
      const required = target.schema.required!;
      delete (valueAt(body, target.path) as Record<string, unknown>)[required[pick % required.length]];
      return body;
    }
    case 'extra-junk': {
      const objects = sites.filter((x) => typeOf(x.schema) === 'object' && valueAt(body, x.path) && !Array.isArray(valueAt(body, x.path)));
      if (objects.length === 0) return mutate(value, s, 'wrong-type', pick);
      const target = valueAt(body, objects[pick % objects.length].path) as object;
      // defineProperty: a plain assignment of "__proto__" would change the prototype instead of adding a key.
      Object.defineProperty(target, JUNK_KEYS[pick % JUNK_KEYS.length], { value: HOSTILE_STRINGS[pick % HOSTILE_STRINGS.length], enumerable: true, writable: true, configurable: true });
      return body;
    }
    case 'hostile-string': {
      const strings = sites.filter((x) => typeOf(x.schema) === 'string');
      const target = strings.length > 0 ? strings[pick % strings.length] : site;
      return setAt(body, target.path, HOSTILE_STRINGS[pick % HOSTILE_STRINGS.length]);
    }
    case 'non-object-root': {
      const roots = [[body], null, 42, 'a string', [], true];
      return roots[pick % roots.length];
    }
  }
}

/** A broken body for `schema`: plausible, then mutated; only kept when the schema itself refuses it. */
export function brokenBodyOf(schema: z.ZodType): fc.Arbitrary<{ body: unknown; kind: TMutation }> {
  const json = jsonSchemaOf(schema);
  return fc
    .record({ value: valueOf(json), kind: fc.constantFrom(...MUTATIONS), pick: fc.nat({ max: 1000 }) })
    .map(({ value, kind, pick }) => ({ body: mutate(value, json, kind, pick), kind }))
    .filter(({ body }) => !schema.safeParse(body).success);
}
