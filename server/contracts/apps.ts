/** AI applications: the shapes shared by tRPC, REST and the console forms. */
import { z } from 'zod';
import { ZDescriptionSchema, ZResourceNameSchema } from './names';

/** GUIDE-INDEX §A decision 18: an AI application version is `building` while it is imported. */
export const APP_STATUSES = ['building', 'normal', 'failed'] as const;
export type TAppStatus = (typeof APP_STATUSES)[number];
export const DEPLOY_TYPES = ['online', 'batch', 'edge'] as const;
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
  docs: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(48),
        url: z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address.' }),
      }),
    )
    .max(3, 'At most 3 AI application description documents.')
    .default([]),
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
export type TRequestMode = 'sync';

export type TAppSummary = {
  id: string;
  name: string;
  version: string;
  status: TAppStatus;
  description: string;
  deployTypes: TDeployType[];
  sourceType: 'obs';
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
};

export type TAppGroup = {
  name: string;
  latest: TAppSummary;
  versions: TAppSummary[];
};
