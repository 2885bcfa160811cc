/** Gateway credentials: access keys (AK/SK), APP authentication and per-service access settings. */
import { z } from 'zod';

/** Each user holds at most two access keys (as on Huawei Cloud's "My credentials" page). */
export const MAX_ACCESS_KEYS_PER_USER = 2;
/** Guide §3.1.4.2.3 "添加AppCode": up to five per app (the limit). */
export const MAX_APP_CODES = 5;
/** The columns of the guide's `credentials.csv` figure (§3.1.4.2.2). */
export const CREDENTIALS_CSV_COLUMNS = ['User Name', 'Access Key Id', 'Secret Access Key'] as const;

export const ZCreateAccessKeySchema = z.object({
  description: z.string().trim().max(255, 'At most 255 characters.').default(''),
});
export const ZAccessKeyStatusSchema = z.enum(['active', 'inactive']);

export type TAccessKey = {
  accessKey: string;
  status: z.infer<typeof ZAccessKeyStatusSchema>;
  description: string;
  createdAt: number;
  lastUsedAt: number | null;
};
/** Returned once, at creation: the only time the secret is shown. */
export type TCreatedAccessKey = TAccessKey & { secretKey: string; userName: string };

/** The guide pre-fills `app_`; API Gateway's rule: 3-64 letters, digits and `_`, starting with a letter. */
export const ZAuthAppNameSchema = z
  .string()
  .trim()
  .min(3, 'At least 3 characters.')
  .max(64, 'At most 64 characters.')
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Start with a letter; use letters, digits and "_".');

export const ZCreateAuthAppSchema = z.object({
  name: ZAuthAppNameSchema,
  description: z.string().trim().max(255, 'At most 255 characters.').default(''),
});

export type TAppCode = { id: string; code: string; createdAt: number };
export type TAuthApp = {
  id: string;
  name: string;
  description: string;
  appKey: string;
  /** Shown in plain text on request ("查询明文"). */
  appSecret: string;
  codes: TAppCode[];
  services: { id: string; name: string }[];
  createdAt: number;
  updatedAt: number;
};

/** Guide table 3-2 "服务流量限制" and GUIDE-INDEX §A decision 15: 1-100000 requests per second. */
export const ZQpsLimitSchema = z
  .number()
  .int('Enter a whole number of requests per second.')
  .min(1, 'At least 1 request per second.')
  .max(100_000, 'At most 100000 requests per second.')
  .nullable();

export const ZUpdateServiceAccessSchema = z.object({
  serviceId: z.string().min(1),
  appAuth: z.boolean().optional(),
  qpsLimit: ZQpsLimitSchema.optional(),
});

/** What the calling guide shows about how to reach a service. */
export type TServiceAccess = {
  serviceId: string;
  /** The inference path (`/v1/infers/<id>`) after the console's origin; ws(s):// for a WebSocket service. The APP-authentication address is the same path. */
  path: string;
  websocket: boolean;
  appAuth: boolean;
  qpsLimit: number | null;
  /** The service's own token (`Authorization: Bearer <token>`). */
  serviceToken: string;
  apps: { id: string; name: string; appKey: string }[];
};

/** GUIDE-INDEX §A decision 20: the VPC direct-connection lookup. */
export type TVpcEndpoints = { service_id: string; endpoints: { schema: string; ip: string; port: number; instance_id: string }[] };
