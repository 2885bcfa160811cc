/** The one reader of process.env: invalid configuration stops the server at boot, naming the variable. */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** As root, instances run as another user, who cannot run a python installed under /root (pyenv); Debian's can. */
const isRoot = () => process.getuid?.() === 0;

const ZEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ANVIL_DATA_DIR: z.string().min(1).default('./data'),
  ANVIL_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ANVIL_PUBLIC_URL: z.url().optional(),
  ANVIL_PYTHON: z.string().min(1).default(() => (isRoot() ? '/usr/bin/python3' : 'python3')),
  /** Who model instances run as when Anvil runs as root. */
  ANVIL_INSTANCE_USER: z.string().min(1).default('nobody'),
  /** Instances' working folders (outside the data directory); default: a folder per data directory under the OS temp dir. */
  ANVIL_RUN_DIR: z.string().min(1).optional(),
  /** The local pool's capacity; default the machine's cores and memory (a deploy that does not fit waits). */
  ANVIL_POOL_CPUS: z.coerce.number().int().min(1).optional(),
  ANVIL_POOL_MEMORY_GIB: z.coerce.number().int().min(1).optional(),
  /** The image repository (docs/image-repository.md): the gate's port (0: any free one) and address, another registry instead of Anvil's, the registry binary. */
  ANVIL_REGISTRY_PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  ANVIL_REGISTRY_HOST: z.string().min(1).default('127.0.0.1'),
  ANVIL_REGISTRY_URL: z.url({ protocol: /^https?$/ }).optional(),
  ANVIL_REGISTRY_BIN: z.string().min(1).default('docker-registry'),
  /** The local Docker Engine (unix:// only; remote engines are added as nodes with TLS). */
  DOCKER_HOST: z.string().optional(),
  /** A package index for image builds (default: only the wheels shipped in the package; no index is reachable offline). */
  ANVIL_PIP_INDEX_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Monitoring retention (docs/monitoring.md): 1-minute points and hourly aggregates, in days. */
  ANVIL_METRICS_RAW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  ANVIL_METRICS_HOURLY_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** How long resolved alarms, notifications and webhook deliveries are kept, in days. */
  ANVIL_ALARM_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** The collector's tick and the length of a metric minute (tests and demos shorten them; default 10 s and 60 s). */
  ANVIL_METRICS_TICK_MS: z.coerce.number().int().min(100).optional(),
  ANVIL_METRICS_MINUTE_MS: z.coerce.number().int().min(500).optional(),
  /** A static token Prometheus may scrape GET /metrics with (Authorization: Bearer …), for every project; IAM tokens see their own project. */
  ANVIL_METRICS_TOKEN: z.string().min(16).optional(),
  /** `off`: never add the local engine as a node. */
  ANVIL_DOCKER: z.enum(['auto', 'off']).default('auto'),
  /** The pool a deploy that names none lands on; default: the Docker pool once it can run Anvil's runtime image, else `local`. */
  ANVIL_DEFAULT_POOL: z.string().min(1).optional(),
  /** Stop containers when Anvil exits (default: they keep serving and the next Anvil adopts them). */
  ANVIL_STOP_CONTAINERS_ON_EXIT: z.enum(['0', '1', 'true', 'false']).default('false').transform((v) => v === '1' || v === 'true'),
  /** Key that encrypts the gateway secrets kept in the database (64 hex digits or base64 of 32 bytes); default: a key file in the data directory. */
  ANVIL_MASTER_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 64 hex digits or the base64 of 32 bytes')
    .optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type TEnv = z.infer<typeof ZEnvSchema> & {
  dataDir: string;
  /** What model instances inherit from Anvil's environment; Anvil's own secrets stay out. */
  instanceBaseEnv: Record<string, string>;
  runDir: string;
};

/** PATH and locale only; HOME and TMPDIR point into each instance's own scratch folder (process driver). */
const INHERITED_BY_INSTANCES = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

export function readEnv(source: Record<string, string | undefined> = process.env): TEnv {
  const parsed = ZEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const instanceBaseEnv = Object.fromEntries(INHERITED_BY_INSTANCES.filter((k) => source[k]).map((k) => [k, source[k]!]));
  const dataDir = path.resolve(parsed.data.ANVIL_DATA_DIR);
  const runDir = path.resolve(parsed.data.ANVIL_RUN_DIR ?? path.join(os.tmpdir(), `anvil-run-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`));
  if (runDir === dataDir || runDir.startsWith(dataDir + path.sep)) {
    throw new Error('Invalid configuration:\n  ANVIL_RUN_DIR: must be outside ANVIL_DATA_DIR (instances cannot enter the data directory)');
  }
  return { ...parsed.data, dataDir, instanceBaseEnv, runDir };
}
