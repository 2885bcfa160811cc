/** Resource pools and their nodes: shapes shared by tRPC, REST and the console's pools page. */
import { z } from 'zod';

export const POOL_RUNTIMES = ['process', 'docker'] as const;
export type TPoolRuntime = (typeof POOL_RUNTIMES)[number];
export const NODE_STATUSES = ['ready', 'unreachable', 'unknown'] as const;
export type TNodeStatus = (typeof NODE_STATUSES)[number];

export const ZPoolIdSchema = z
  .string()
  .trim()
  .min(2, 'At least 2 characters.')
  .max(32, 'At most 32 characters.')
  .regex(/^[a-z][a-z0-9-]*$/, 'Start with a lowercase letter; then lowercase letters, digits and "-".');

export const ZCreatePoolSchema = z.object({
  id: ZPoolIdSchema,
  description: z.string().max(256, 'At most 256 characters.').default(''),
});

export const ZNodeNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(64, 'At most 64 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Letters, digits, "-", "_" and ".", starting with a letter or digit.');

const ZPem = z.string().max(65536, 'At most 64 KiB.');

export const ZAllocatableSchema = z.object({
  cpus: z.number().int('Enter a whole number.').min(1, 'At least 1.').max(4096, 'At most 4096.'),
  memoryGiB: z.number().int('Enter a whole number.').min(1, 'At least 1 GiB.').max(65536, 'At most 65536 GiB.'),
});

export const ZAddNodeSchema = z.object({
  poolId: ZPoolIdSchema,
  name: ZNodeNameSchema,
  /** `unix:///var/run/docker.sock` or `tcp://host:2376` (TLS client certificates required). */
  endpoint: z.string().trim().min(1, 'Enter the engine address.').max(300, 'At most 300 characters.'),
  tls: z.object({ ca: ZPem, cert: ZPem, key: ZPem }).partial().optional(),
  /** What the scheduler may hand out; absent: the engine's cores and memory. */
  allocatable: ZAllocatableSchema.optional(),
});
export type TAddNode = z.input<typeof ZAddNodeSchema>;

export type TGpuInfo = { index: number; uuid: string; name: string; memoryTotalMiB: number; memoryUsedMiB: number | null; utilizationPct: number | null };

export type TResources = { cpus: number; memoryGiB: number; gpus: number };

export type TNodeView = {
  id: string;
  name: string;
  poolId: string;
  endpoint: string;
  isAuto: boolean;
  status: TNodeStatus;
  statusReason: string;
  engineVersion: string | null;
  /** What the scheduler hands out, what placed instances hold, and what is left. */
  total: TResources;
  used: TResources;
  free: TResources;
  gpus: (TGpuInfo & { instanceId: string | null })[];
  instances: number;
  checkedAt: number | null;
};

export type TPoolView = {
  id: string;
  runtime: TPoolRuntime;
  description: string;
  isDefault: boolean;
  nodes: TNodeView[];
  /** Why the pool cannot take a deploy now (no ready node, no runtime image), empty when it can. */
  unavailableReason: string;
};
