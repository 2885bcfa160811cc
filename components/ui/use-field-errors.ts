'use client';
/**
 * Field errors of a console form, from the shared zod schema before submit and from the server
 * after. Keyed by the first path segment (`autoStop`), or with `{ byPath: true }` by the whole path
 * (`tls.ca`, `allocatable.cpus`) for forms that show nested fields one by one.
 */
import { useCallback, useState } from 'react';
import type { ZodType } from 'zod';
import { errorOf } from './error-text';

export function useFieldErrors(opts: { byPath?: boolean } = {}) {
  const { byPath = false } = opts;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const keyOf = useCallback((path: string) => (byPath ? path : path.split('.')[0]) || 'form', [byPath]);

  /** Validates `input`; on failure shows the first message of each field and returns false. */
  const validate = useCallback((schema: ZodType, input: unknown): boolean => {
    const parsed = schema.safeParse(input);
    if (parsed.success) {
      setErrors({});
      return true;
    }
    const next: Record<string, string> = {};
    for (const issue of parsed.error.issues) next[keyOf(issue.path.map(String).join('.'))] ??= issue.message;
    setErrors(next);
    return false;
  }, [keyOf]);

  /** Shows a server error under its field (`data.field`) or above the actions. */
  const fromServer = useCallback((e: unknown) => {
    const err = errorOf(e);
    if (err) setErrors({ [keyOf(err.field ?? '')]: err.message });
  }, [keyOf]);

  /** An edited field's old errors no longer apply: its own and, by path, those below it (`allocatable` clears `allocatable.cpus`). */
  const clear = useCallback(
    (field: string) => setErrors((all) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== field && !(byPath && k.startsWith(`${field}.`))))),
    [byPath],
  );

  return { errors, validate, fromServer, clear };
}
