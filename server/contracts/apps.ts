/** AI applications: the shapes shared by tRPC, REST and the console forms. */
import { z } from 'zod';
import { ZDescriptionSchema, ZResourceNameSchema } from './names';

export const APP_STATUSES = ['importing', 'normal', 'failed'] as const;
export type TAppStatus = (typeof APP_STATUSES)[number];
export const DEPLOY_TYPES = ['online', 'batch', 'edge'] as const;
export type TDeployType = (typeof DEPLOY_TYPES)[number];

export const ZObsUriSchema = z
  .string()
  .trim()
  .regex(/^obs:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'Choose a directory in object storage (obs://bucket/path).')
  .refine((uri) => !/\s/.test(uri), 'The model path must not contain spaces.');

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
    .array(z.object({ name: z.string().trim().min(1).max(48), url: z.url() }))
    .max(3, 'At most 3 AI application description documents.')
    .default([]),
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
  createdAt: number;
};

export type TAppDetail = TAppSummary & {
  apis: TApiSpec[];
  metrics: Record<string, number>;
  dependencies: unknown[];
  docs: { name: string; url: string }[];
  requestMode: 'sync';
  startCommand: string;
  services: { id: string; name: string; status: string }[];
};

export type TAppGroup = {
  name: string;
  latest: TAppSummary;
  versions: TAppSummary[];
};
