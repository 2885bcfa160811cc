'use client';
/** Field errors of a console form, from the shared zod schema before submit and from the server after. */
import { useCallback, useState } from 'react';
import type { ZodType } from 'zod';
import { errorOf } from './error-text';

export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});

  /** Validates `input`; on failure shows the first message of each field and returns false. */
  const validate = useCallback((schema: ZodType, input: unknown): boolean => {
    const parsed = schema.safeParse(input);
    if (parsed.success) {
      setErrors({});
      return true;
    }
    const next: Record<string, string> = {};
    for (const issue of parsed.error.issues) next[String(issue.path[0] ?? 'form')] ??= issue.message;
    setErrors(next);
    return false;
  }, []);

  /** Shows a server error under its field (`data.field`, first path segment) or above the actions. */
  const fromServer = useCallback((e: unknown) => {
    const err = errorOf(e);
    if (err) setErrors({ [err.field?.split('.')[0] || 'form']: err.message });
  }, []);

  /** An edited field's old error no longer applies. */
  const clear = useCallback((field: string) => setErrors(({ [field]: _, ...rest }) => rest), []);

  return { errors, validate, fromServer, clear };
}
