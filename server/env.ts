/** The one reader of process.env: invalid configuration stops the server at boot, naming the variable. */
import path from 'node:path';
import { z } from 'zod';

const ZEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ANVIL_DATA_DIR: z.string().min(1).default('./data'),
  ANVIL_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ANVIL_PUBLIC_URL: z.url().optional(),
  ANVIL_PYTHON: z.string().min(1).default('python3'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type TEnv = z.infer<typeof ZEnvSchema> & {
  dataDir: string;
  /** What model instances inherit from Anvil's environment; Anvil's own secrets stay out. */
  instanceBaseEnv: Record<string, string>;
};

const INHERITED_BY_INSTANCES = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'HOME', 'TMPDIR'];

export function readEnv(source: Record<string, string | undefined> = process.env): TEnv {
  const parsed = ZEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const instanceBaseEnv = Object.fromEntries(INHERITED_BY_INSTANCES.filter((k) => source[k]).map((k) => [k, source[k]!]));
  return { ...parsed.data, dataDir: path.resolve(parsed.data.ANVIL_DATA_DIR), instanceBaseEnv };
}
