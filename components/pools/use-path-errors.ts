'use client';
/**
 * Field errors keyed by their whole path (`tls.ca`, `allocatable.cpus`), for forms with nested
 * fields; `useFieldErrors` keys by the first segment only.
 */
import { useCallback, useState } from 'react';
import type { ZodType } from 'zod';
import { errorOf } from '../ui/error-text';

export function usePathErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});

  const validate = useCallback((schema: ZodType, input: unknown): boolean => {
    const parsed = schema.safeParse(input);
    if (parsed.success) {
      setErrors({});
      return true;
    }
    const next: Record<string, string> = {};
    for (const issue of parsed.error.issues) next[issue.path.map(String).join('.') || 'form'] ??= issue.message;
    setErrors(next);
    return false;
  }, []);

  const fromServer = useCallback((e: unknown) => {
    const err = errorOf(e);
    if (err) setErrors({ [err.field || 'form']: err.message });
  }, []);

  /** Clears the errors at `prefix` and below (editing `allocatable` clears `allocatable.cpus`). */
  const clear = useCallback((prefix: string) => setErrors((all) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== prefix && !k.startsWith(`${prefix}.`)))), []);

  return { errors, validate, fromServer, clear };
}
