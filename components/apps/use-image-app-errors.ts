'use client';
/**
 * Field errors of the image application form: like `useFieldErrors`, but a probe's errors keep their
 * whole path (`probes.liveness.periodSeconds`), so each shows under its own input.
 */
import { useCallback, useState } from 'react';
import type { ZodType } from 'zod';
import { errorOf } from '../ui/error-text';

/** Where an error shows: a probe field by its path, anything else under its top-level field (`docs.0.url` → `docs`). */
export const errorKeyOf = (path: string) => (path.startsWith('probes.') ? path : path.split('.')[0] || 'form');

export function useImageAppErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});

  /** Validates `input`; on failure shows the first message of each field and returns false. */
  const validate = useCallback((schema: ZodType, input: unknown): boolean => {
    const parsed = schema.safeParse(input);
    const next: Record<string, string> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) next[errorKeyOf(issue.path.map(String).join('.'))] ??= issue.message;
    setErrors(next);
    return parsed.success;
  }, []);

  /** Shows a server error under its field (`data.field`) or above the actions. */
  const fromServer = useCallback((e: unknown) => {
    const err = errorOf(e);
    if (err) setErrors({ [errorKeyOf(err.field ?? '')]: err.message });
  }, []);

  /** Edited fields lose their old errors: `probes.liveness` clears every field of that probe. */
  const clear = useCallback((key: string) => setErrors((all) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== key && !k.startsWith(`${key}.`)))), []);

  return { errors, validate, fromServer, clear };
}
