/**
 * The prediction tab's form, built from an API's request schema (the same schema as the service's
 * OpenAPI document): one typed input per primitive field of an object body, nested objects as
 * dotted paths. A body with arrays or untyped fields has no form; the raw JSON editor takes it.
 * Values are checked before anything is sent, each error on its field.
 */

type TSchema = { type?: string; properties?: Record<string, TSchema>; required?: string[]; enum?: unknown[]; minimum?: number; maximum?: number; description?: string };
export type TFieldType = 'string' | 'number' | 'integer' | 'boolean';
export type TFormField = { path: string[]; name: string; type: TFieldType; required: boolean; options?: string[]; minimum?: number; maximum?: number; description?: string };
export type TFieldError = 'required' | 'notANumber' | 'notAnInteger' | 'notAnOption' | 'belowMinimum' | 'aboveMaximum';
/** What the inputs hold: text for text and number inputs, a boolean for checkboxes. */
export type TFormValues = Record<string, string | boolean>;

const PRIMITIVES = new Set(['string', 'number', 'integer', 'boolean']);
const MAX_DEPTH = 6;

/** The form of a request schema; null when some field cannot be a plain input (arrays, files, untyped). */
export function formFields(schema: unknown): TFormField[] | null {
  const s = schema as TSchema | null;
  if (!s || typeof s !== 'object' || (s.type !== 'object' && !s.properties)) return null;
  const out: TFormField[] = [];
  const walk = (node: TSchema, path: string[], isRequired: boolean): boolean => {
    if (path.length > MAX_DEPTH) return false;
    if (node.type === 'object' || node.properties) {
      const entries = Object.entries(node.properties ?? {});
      if (entries.length === 0 && path.length > 0) return false;
      return entries.every(([key, child]) => walk(child ?? {}, [...path, key], isRequired && (node.required ?? []).includes(key)));
    }
    if (!node.type || !PRIMITIVES.has(node.type)) return false;
    out.push({
      path, name: path.join('.'), type: node.type as TFieldType, required: isRequired,
      ...(Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string') ? { options: node.enum as string[] } : {}),
      ...(typeof node.minimum === 'number' ? { minimum: node.minimum } : {}),
      ...(typeof node.maximum === 'number' ? { maximum: node.maximum } : {}),
      ...(node.description ? { description: node.description } : {}),
    });
    return true;
  };
  return walk(s, [], true) && out.length > 0 ? out : null;
}

/** The body the form's values make, or each field's problem. Empty optional fields are left out. */
export function buildBody(fields: readonly TFormField[], values: TFormValues): { body: Record<string, unknown> } | { errors: Record<string, TFieldError> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, TFieldError> = {};
  for (const f of fields) {
    const raw = values[f.name];
    let value: unknown;
    if (f.type === 'boolean') value = raw === true;
    else {
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') {
        if (f.required) errors[f.name] = 'required';
        continue;
      }
      if (f.type === 'string') {
        if (f.options && !f.options.includes(text)) errors[f.name] = 'notAnOption';
        value = typeof raw === 'string' ? raw : text;
      } else {
        const n = Number(text);
        if (!Number.isFinite(n)) errors[f.name] = 'notANumber';
        else if (f.type === 'integer' && !Number.isInteger(n)) errors[f.name] = 'notAnInteger';
        else if (f.minimum !== undefined && n < f.minimum) errors[f.name] = 'belowMinimum';
        else if (f.maximum !== undefined && n > f.maximum) errors[f.name] = 'aboveMaximum';
        value = n;
      }
    }
    let at = body;
    for (const key of f.path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[f.path[f.path.length - 1]] = value;
  }
  return Object.keys(errors).length > 0 ? { errors } : { body };
}

/** The form's values from a JSON body (switching from the raw editor): what does not fit is left empty. */
export function valuesFrom(fields: readonly TFormField[], body: unknown): TFormValues {
  const values: TFormValues = {};
  for (const f of fields) {
    let at: unknown = body;
    for (const key of f.path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (f.type === 'boolean') values[f.name] = at === true;
    else if (typeof at === 'string' || typeof at === 'number') values[f.name] = String(at);
  }
  return values;
}
