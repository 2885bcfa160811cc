/** AI applications: the shapes shared by tRPC, REST and the console forms. */
import { z } from 'zod';
import { ZDescriptionSchema, ZResourceNameSchema } from './names';
import { ZProbesSchema } from './probes';

/** GUIDE-INDEX §A decision 18: an AI application version is `building` while it is imported. */
export const APP_STATUSES = ['building', 'normal', 'failed'] as const;
export type TAppStatus = (typeof APP_STATUSES)[number];
export const DEPLOY_TYPES = ['online', 'batch', 'edge'] as const;
/** Guide table 2-11 "请求模式": synchronous (an answer within the 40 s limit) or asynchronous (a request id at once, the result later). */
export const REQUEST_MODES = ['sync', 'async'] as const;
export type TRequestMode = (typeof REQUEST_MODES)[number];
export type TDeployType = (typeof DEPLOY_TYPES)[number];

export const ZObsUriSchema = z
  .string()
  .trim()
  .regex(/^obs:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'Choose a directory in object storage (obs://bucket/path).')
  .refine((uri) => !/\s/.test(uri), 'The model path must not contain spaces.');

/** Documentation links are opened from the console: only http(s), never `javascript:` or `data:`. */
export function isWebUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Up to 3 description documents of an AI application (guide table 2-8), editable on its page. */
export const ZAppDocsSchema = z
  .array(
    z.object({
      name: z.string().trim().min(1).max(48),
      url: z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address.' }),
    }),
  )
  .max(3, 'At most 3 AI application description documents.')
  .default([]);

/** Model precision (guide table 4-2), edited as text: a number, kept to 17 decimal places. */
export const ZAppMetricsSchema = z.object(
  Object.fromEntries(
    (['f1', 'recall', 'precision', 'accuracy'] as const).map((k) => [k, z.string().trim().regex(/^(-?\d+(\.\d+)?([eE][+-]?\d+)?)?$/, 'Enter a number, e.g. 0.9933.').optional()]),
  ) as Record<'f1' | 'recall' | 'precision' | 'accuracy', z.ZodOptional<z.ZodString>>,
);
export type TAppMetricsInput = z.input<typeof ZAppMetricsSchema>;

export const ZCreateAppSchema = z.object({
  name: ZResourceNameSchema,
  version: z
    .string()
    .trim()
    .regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}$/, 'Use a version such as 0.0.1.')
    .default('0.0.1'),
  description: ZDescriptionSchema,
  sourceUri: ZObsUriSchema,
  runtime: z.string().trim().optional(),
  deployTypes: z.array(z.enum(DEPLOY_TYPES)).min(1, 'Choose at least one deployment type.').default(['online']),
  requestMode: z.enum(REQUEST_MODES, 'Choose sync or async.').default('sync'),
  docs: ZAppDocsSchema,
  /**
   * Guide §2.2.3 lets a custom engine replace the start command. Anvil always runs its own model
   * server, so a start command is refused rather than stored and ignored.
   */
  startCommand: z
    .string()
    .trim()
    .max(0, 'Anvil does not run custom start commands yet: every model runs in Anvil\'s Python model server. Leave the start command empty.')
    .optional(),
});
export type TCreateApp = z.input<typeof ZCreateAppSchema>;

/** GUIDE-INDEX §A decision 6: what a start command must not contain. */
export const FORBIDDEN_START_COMMAND_ITEMS = ['$', '|', '>', '<', '`', '!', '\n', '\\', '?', '--volume', '--mount', '--tmpfs', '--privileged', '--cap-add', '-v'] as const;

/** The first forbidden item in `command` (options match as whole words), or undefined. */
export function forbiddenStartCommandItem(command: string): string | undefined {
  const words = command.split(/\s+/);
  return FORBIDDEN_START_COMMAND_ITEMS.find((item) => (item.startsWith('-') ? words.includes(item) || words.some((w) => w.startsWith(`${item}=`)) : command.includes(item)));
}

/** Guide §2.2.4, table 2-10: an AI application from a container image in the project's repository. */
export const ZCreateImageAppSchema = ZCreateAppSchema.omit({ sourceUri: true, runtime: true, startCommand: true }).extend({
  /** `<repository>:<tag>` in the project's image repository. */
  image: z
    .string()
    .trim()
    .min(1, 'Choose an image.')
    .max(255, 'At most 255 characters.')
    // The distribution grammar of a repository path ([._] | __ | -+ between alphanumerics), then a tag.
    .regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'Choose an image and tag from the repository (repository:tag).'),
  protocol: z.literal('HTTP', 'Anvil calls containers over HTTP; HTTPS between the gateway and the container is not supported yet.').default('HTTP'),
  port: z.number('Enter a port.').int('Enter a whole number.').min(1, 'At least 1.').max(65535, 'At most 65535.').default(8080),
  startCommand: z
    .string()
    .max(1024, 'At most 1024 characters.')
    .optional()
    .superRefine((c, ctx) => {
      const item = c && forbiddenStartCommandItem(c);
      if (item) ctx.addIssue({ code: 'custom', message: `A start command must not contain ${JSON.stringify(item)} (guide §2.2.3).` });
    }),
  /** The apis definition (config.json `apis`, guide §4.1.2) as JSON text; empty: POST / with JSON. */
  apis: z.string().max(65536, 'At most 64 KiB.').optional(),
  probes: ZProbesSchema.default({}),
});
export type TCreateImageApp = z.input<typeof ZCreateImageAppSchema>;

/** An AI application that runs its own image (guide §2.2.4, table 2-10) instead of Anvil's model server. */
export type TAppContainer = {
  /** Full reference the nodes pull, e.g. 127.0.0.1:5000/default/echo:1.0. */
  image: string;
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  /** The start command (argv for `/bin/sh -c`), empty for the image's own. */
  command?: string;
  probes?: import('./probes').TProbes;
};

export type TApiField = { name: string; type: string; required: boolean; description?: string };
export type TApiSpec = {
  url: string;
  method: string;
  requestContentType: string;
  responseContentType: string;
  request?: unknown;
  response?: unknown;
  inputs: TApiField[];
  outputs: TApiField[];
};

/** Anvil has only synchronous online services, so every application answers in sync request mode (guide §2.3). */


export type TAppSummary = {
  id: string;
  name: string;
  version: string;
  status: TAppStatus;
  description: string;
  deployTypes: TDeployType[];
  sourceType: 'obs' | 'image';
  sourceUri: string;
  modelType: string;
  runtime: string;
  modelAlgorithm: string;
  sizeBytes: number | null;
  requestMode: TRequestMode;
  createdAt: number;
};

/** What runs the model: the runtime config.json asks for, and the interpreter that really runs it. */
export type TRuntimeInfo = { requested: string; actual: string };

/** config.json `metrics`, each kept as text truncated to 17 decimal places (guide table 4-2). */
export type TMetrics = Partial<Record<'f1' | 'recall' | 'precision' | 'accuracy', string>>;

export type TAppDetail = TAppSummary & {
  apis: TApiSpec[];
  metrics: TMetrics;
  dependencies: unknown[];
  docs: { name: string; url: string }[];
  /** The command that really starts an instance (Anvil's model server), not an engine image's. */
  startCommand: string;
  /** Anvil stores models as uploaded; nothing is encrypted. */
  encryption: 'none';
  runtimeInfo: TRuntimeInfo;
  services: { id: string; name: string; status: string }[];
  /** From a container image: the image, its call interface and probes. */
  container: TAppContainer | null;
  /** The output of the last failed image build (applications with dependencies), else null. */
  buildLog: string | null;
};

export type TAppGroup = {
  name: string;
  latest: TAppSummary;
  versions: TAppSummary[];
};
