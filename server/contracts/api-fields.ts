/** Reads the JSON Schemas of config.json `apis` (guide table 4-4): parameter lists and example bodies. */
import type { TApiField } from './apps';

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema | Schema[]; required?: string[]; description?: string };

const firstItem = (items: Schema['items']): Schema | undefined => (Array.isArray(items) ? items[0] : items);

/** Flattens a body schema into dotted parameter paths, e.g. `data.req_data[].sepal_length`. */
export function flattenSchema(schema: unknown, prefix = '', required = true, depth = 0): TApiField[] {
  const s = (schema ?? {}) as Schema;
  if (depth > 8) return [];
  if (s.type === 'object' || s.properties) {
    const entries = Object.entries(s.properties ?? {});
    if (entries.length === 0 && prefix) return [{ name: prefix, type: 'object', required }];
    return entries.flatMap(([key, child]) =>
      flattenSchema(child, prefix ? `${prefix}.${key}` : key, required && (s.required ?? []).includes(key), depth + 1),
    );
  }
  if (s.type === 'array') {
    const item = firstItem(s.items);
    const nested = item && (item.type === 'object' || item.properties) ? flattenSchema(item, `${prefix}[]`, required, depth + 1) : [];
    return nested.length > 0 ? nested : [{ name: prefix, type: `array<${item?.type ?? 'any'}>`, required }];
  }
  return prefix ? [{ name: prefix, type: s.type ?? 'any', required, description: s.description }] : [];
}

/** Names of `"type": "file"` request properties: these become upload fields (guide §3.1.3). */
export function fileFields(requestSchema: unknown): string[] {
  const props = ((requestSchema ?? {}) as Schema).properties ?? {};
  return Object.entries(props)
    .filter(([, s]) => s.type === 'file')
    .map(([k]) => k);
}

/** A body shaped like the schema, for the prediction editor and the calling guide's curl line. */
export function exampleBody(schema: unknown, depth = 0): unknown {
  const s = (schema ?? {}) as Schema;
  if (depth > 8) return null;
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, exampleBody(v, depth + 1)]));
    case 'array': {
      const item = firstItem(s.items);
      return item ? [exampleBody(item, depth + 1)] : [];
    }
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    default:
      return s.properties ? exampleBody({ ...s, type: 'object' }, depth) : null;
  }
}
