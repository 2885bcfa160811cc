import { z } from 'zod';

/** Guide §2.2 (and GUIDE-INDEX §A decision 1 for services): 1-64 letters (Chinese included), digits, `-`, `_`. */
export const ZResourceNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(64, 'At most 64 characters.')
  .regex(/^[\p{L}\p{Nd}_-]+$/u, 'Only letters, Chinese characters, digits, "-" and "_" are allowed.');

export const ZDescriptionSchema = z.string().trim().max(500, 'At most 500 characters.').default('');
