/** Online services: the shapes shared by tRPC, REST and the console forms. */
import { z } from 'zod';
import { ZQpsLimitSchema } from './access';
import { ZDescriptionSchema, ZResourceNameSchema } from './names';

/** GUIDE-INDEX §A decision 18; `waiting`: not enough resources yet (event S2). */
export const SERVICE_STATUSES = ['deploying', 'running', 'concerning', 'failed', 'stopping', 'stopped', 'deleting', 'waiting'] as const;
export type TServiceStatus = (typeof SERVICE_STATUSES)[number];
/** `unready`: failing its health check, out of routing; `stopping`: draining its in-flight requests. */
export const INSTANCE_STATUSES = ['pending', 'starting', 'ready', 'unready', 'stopping', 'exited', 'stopped'] as const;
export type TInstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** Guide §3.1.1: auto-stop after 1/2/4/6 h or a custom whole number of hours 1-24. */
export const AUTO_STOP_PRESETS = [1, 2, 4, 6] as const;

export const ZEnvVarSchema = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'Use letters, digits and "_", not starting with a digit.')
    .refine((k) => k !== 'PORT' && !k.startsWith('ANVIL_'), 'PORT and ANVIL_* are set by Anvil.'),
  value: z.string().max(4096, 'At most 4096 characters.'),
});

/** Guide §3.1.1: auto-stop after a whole number of hours, 1-24. */
export const ZAutoStopSchema = z.object({
  enabled: z.boolean(),
  hours: z.number().int('Enter a whole number of hours.').min(1, 'At least 1 hour.').max(24, 'At most 24 hours.'),
});
export type TAutoStop = z.infer<typeof ZAutoStopSchema>;

/** Guide table 3-2: a version's share of the calls, in whole percent. */
export const ZTrafficWeightSchema = z.number().int('Enter a whole percentage.').min(1, 'At least 1%.').max(100, 'At most 100%.');
/** One service runs at most this many versions at once (the first and four more). */
export const MAX_SERVICE_VERSIONS = 5;

/** The user's environment variables (guide table 3-2), each name once. */
export const ZEnvsSchema = z
  .array(ZEnvVarSchema)
  .max(64)
  .default([])
  .refine((envs) => new Set(envs.map((e) => e.key)).size === envs.length, 'Each variable name can appear once.');

/** A further version of the service's AI application (guide "添加AI应用版本进行灰度发布"), with its own resources. */
export const ZServiceVersionSchema = z.object({
  appId: z.string().min(1, 'Choose an AI application version.'),
  weight: ZTrafficWeightSchema,
  flavor: z.string().min(1, 'Choose a compute specification.'),
  instanceCount: z.number().int('Enter a whole number.').min(1, 'At least 1 instance.').max(128, 'At most 128 instances.').default(1),
  envs: ZEnvsSchema,
});
export type TServiceVersionInput = z.input<typeof ZServiceVersionSchema>;

const weightsProblem = (weights: number[]) =>
  weights.reduce((a, b) => a + b, 0) === 100 ? undefined : `The traffic ratios must sum to 100% (guide table 3-2); they sum to ${weights.reduce((a, b) => a + b, 0)}%.`;

export const ZCreateServiceSchema = z.object({
  name: ZResourceNameSchema,
  description: ZDescriptionSchema,
  autoStop: ZAutoStopSchema.default({ enabled: true, hours: 1 }),
  /** A resource pool id (`local`, `docker`, …); default: the default pool. */
  pool: z.string().trim().min(1, 'Choose a resource pool.').max(32, 'At most 32 characters.').optional(),
  appId: z.string().min(1, 'Choose an AI application and version.'),
  /** The first version's traffic ratio (guide table 3-2 "分流"): 100 with one version; with several they sum to 100. */
  trafficWeight: ZTrafficWeightSchema.default(100),
  flavor: z.string().min(1, 'Choose a compute specification.'),
  instanceCount: z.number().int('Enter a whole number.').min(1, 'At least 1 instance.').max(128, 'At most 128 instances.').default(1),
  envs: ZEnvsSchema,
  deployTimeoutMinutes: z
    .number()
    .int('Enter a whole number of minutes.')
    .min(3, 'At least 3 minutes.')
    .max(120, 'At most 120 minutes.')
    .default(20),
  /** Guide table 3-2 "服务流量限制": requests per second, none by default. */
  qpsLimit: ZQpsLimitSchema.default(null),
  /** Guide table 3-2 "升级为WebSocket": container-image applications only; fixed for the service's life, and no traffic limit. */
  websocket: z.boolean().default(false),
  /** Guide table 3-2 "支持APP认证", with the apps allowed to call the service. */
  appAuth: z.boolean().default(false),
  authAppIds: z.array(z.string().min(1)).max(50).default([]),
  /** Versions beyond the first (the fields above), for a gray release. */
  versions: z.array(ZServiceVersionSchema).max(MAX_SERVICE_VERSIONS - 1, `At most ${MAX_SERVICE_VERSIONS} versions in all.`).default([]),
}).superRefine((s, ctx) => {
  const problem = weightsProblem([s.trafficWeight, ...s.versions.map((v) => v.weight)]);
  if (problem) ctx.addIssue({ code: 'custom', path: [s.versions.length ? 'versions' : 'trafficWeight'], message: problem });
  if (s.websocket && s.qpsLimit !== null) ctx.addIssue({ code: 'custom', path: ['qpsLimit'], message: 'A WebSocket service has no traffic limit (guide table 3-2).' });
  if (!s.appAuth && s.authAppIds.length > 0) ctx.addIssue({ code: 'custom', path: ['authAppIds'], message: 'Turn on APP authentication to bind apps.' });
});
export type TCreateService = z.input<typeof ZCreateServiceSchema>;

/** The whole list of a deployed service's versions: those with an `id` are kept (weight and instance count may change), the others added, the missing removed. */
export const ZSetServiceVersionsSchema = z
  .object({
    serviceId: z.string().min(1),
    versions: z
      .array(ZServiceVersionSchema.extend({ id: z.string().min(1).optional() }))
      .min(1, 'A service runs at least one version.')
      .max(MAX_SERVICE_VERSIONS, `At most ${MAX_SERVICE_VERSIONS} versions in all.`),
  })
  .superRefine((s, ctx) => {
    const problem = weightsProblem(s.versions.map((v) => v.weight));
    if (problem) ctx.addIssue({ code: 'custom', path: ['versions'], message: problem });
    const ids = s.versions.flatMap((v) => (v.id ? [v.id] : []));
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['versions'], message: 'Each version can appear once.' });
  });
export type TSetServiceVersions = z.input<typeof ZSetServiceVersionsSchema>;

/** One version of a deployed service, with its share of the calls and its instances. */
export type TServiceVersion = {
  id: string;
  appId: string;
  appName: string;
  appVersion: string;
  weight: number;
  flavor: string;
  instanceCount: number;
  readyInstances: number;
  envs: { key: string; value: string }[];
};

export type TFlavor = {
  id: string;
  cpu: number;
  memoryGiB: number;
  gpu: number;
  /** The GPU model the flavor asks for (a substring of the card's name, e.g. "A100"); any GPU when absent. */
  gpuType?: string;
  isAvailable: boolean;
  unavailableReason?: string;
  /** How many instances of this flavor the pool's free capacity holds now (absent where not computed). */
  freeInstances?: number;
};

/** What keeps model code away from Anvil (the runtime driver's answer), shown with the instances. */
export type TInstanceIsolation = {
  /** True when model code runs without Anvil's permissions. */
  confined: boolean;
  /** The OS user instances run as. */
  user: string;
  /** What is enforced, or why nothing is. */
  note: string;
  /** What is wrong with the setup (a python the instance user cannot run, no memory cap). */
  warning?: string;
};

export type TInstance = {
  id: string;
  status: TInstanceStatus;
  port: number | null;
  pid: number | null;
  restarts: number;
  startedAt: number | null;
  createdAt: number;
  /** The node it runs on ("this machine" for the local pool) and its container, if any. */
  node: string;
  containerId: string | null;
  /** The service version it runs. */
  versionId: string;
};

export type TServiceSummary = {
  id: string;
  name: string;
  status: TServiceStatus;
  description: string;
  appId: string;
  appName: string;
  appVersion: string;
  flavor: string;
  instanceCount: number;
  readyInstances: number;
  pool: string;
  /** `stopsAt`: when a running service stops by itself (epoch ms), null when no deadline is armed. */
  autoStop: TAutoStop & { stopsAt: number | null };
  /** Why the service is in its status: what it waits for, how many instances are down, or why it failed. */
  statusReason: string;
  createdAt: number;
  updatedAt: number;
  /** Chosen at deploy; the address is ws(s)://… (guide §3.1.4.4). */
  websocket: boolean;
  appAuth: boolean;
  qpsLimit: number | null;
};

export type TServiceDetail = TServiceSummary & {
  /** Every version, the first one first (the flat fields describe it). */
  versions: TServiceVersion[];
  envs: { key: string; value: string }[];
  deployTimeoutMinutes: number;
  trafficWeight: number;
  instances: TInstance[];
  source: string;
  isolation: TInstanceIsolation;
};

export const ZLogQuerySchema = z.object({
  serviceId: z.string(),
  range: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('last'), minutes: z.union([z.literal(5), z.literal(30), z.literal(60)]) }),
    z.object({ kind: z.literal('custom'), from: z.number().int(), to: z.number().int() }),
  ]),
  keyword: z.string().max(256).default(''),
  /** One instance's lines only. */
  instanceId: z.string().optional(),
  limit: z.number().int().min(1).max(2000).default(500),
});
export type TLogQuery = z.input<typeof ZLogQuerySchema>;
export type TLogLine = { id: number; ts: number; instanceId: string; stream: 'stdout' | 'stderr'; line: string };
/** A line as the live tail pushes it (before the console could page it, so without its row id). */
export type TLiveLogLine = Omit<TLogLine, 'id'>;
