/** The one reader of process.env: invalid configuration stops the server at boot, naming the variable. */
import path from 'node:path';
import { z } from 'zod';

const ZEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ANVIL_DATA_DIR: z.string().min(1).default('./data'),
  ANVIL_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ANVIL_PUBLIC_URL: z.url().optional(),
  ANVIL_PYTHON: z.string().min(1).default('python3'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type TEnv = z.infer<typeof ZEnvSchema> & { dataDir: string };

export function readEnv(source: NodeJS.ProcessEnv = process.env): TEnv {
  const parsed = ZEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.ANVIL_DATA_DIR) };
}
