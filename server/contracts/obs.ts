/** Object storage: shapes shared by tRPC, REST and the console browser. */
import { z } from 'zod';

export const ZBucketNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, '3-63 characters: lowercase letters, digits and "-", not at either end.');

/** A key prefix ending in "/" or empty (bucket root). */
export const ZPrefixSchema = z
  .string()
  .default('')
  .refine((p) => p === '' || p.endsWith('/'), 'A folder path ends with "/".');

export const ZFolderNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a folder name.')
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'A folder name cannot contain "/" or "\\".');

export type TObsEntry = { name: string; key: string; isFolder: boolean; size: number; modifiedAt: number };
export type TBucket = { name: string; createdAt: number };
