/** Monitoring (guide §5): metric queries and the live tick, shared by the REST/tRPC adapters and the console. */
import { z } from 'zod';

export const METRIC_LEVELS = ['service', 'version', 'instance'] as const;
export type TMetricLevelName = (typeof METRIC_LEVELS)[number];

/** The console's ranges (1 h / 3 h / 12 h / 24 h / 7 d) or a custom one; at most 90 days back (the hourly retention). */
export const ZMetricRangeSchema = z.union([
  z.object({ kind: z.literal('last'), hours: z.union([z.literal(1), z.literal(3), z.literal(12), z.literal(24), z.literal(168)]) }),
  z
    .object({ kind: z.literal('custom'), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() })
    .refine((r) => r.to > r.from, { message: 'The end of the range must be after its start.', path: ['to'] }),
]);

export const ZMetricQuerySchema = z.object({
  serviceId: z.string().min(1),
  metrics: z.array(z.string().min(1)).min(1).max(25),
  level: z.enum(METRIC_LEVELS).default('service'),
  /** Only this version's series (its id, the guide's model_id). */
  modelId: z.string().optional(),
  range: ZMetricRangeSchema,
  maxPoints: z.number().int().min(10).max(2000).default(500),
});
export type TMetricQueryInput = z.input<typeof ZMetricQuerySchema>;

export type TMetricSeries = { metric: string; modelId: string; instanceId: string; points: [number, number][] };
export type TMetricQueryResult = {
  from: number;
  to: number;
  stepMs: number;
  series: TMetricSeries[];
  /** When the service was last ready: charts say data begins there. */
  readySince: number | null;
};

/** One collector tick (10 s) of one service: counts as per-minute rates, resources as they were. */
export type TLiveTick = { serviceId: string; ts: number; service: Record<string, number>; versions: Record<string, Record<string, number>> };

/** The console's home (overview): the project's services, calls and errors over 24 h, and node capacity. */
export type TOverview = {
  servicesByStatus: Record<string, number>;
  calls: { stepMs: number; from: number; to: number; total: [number, number][]; failed: [number, number][] };
  totals: { calls: number; failed: number };
  topByTraffic: { serviceId: string; name: string; calls: number }[];
  topByErrorRate: { serviceId: string; name: string; calls: number; failed: number; errorRate: number }[];
  nodes: { poolId: string; name: string; status: string; cpus: { used: number; total: number }; memoryGiB: { used: number; total: number }; gpus: { used: number; total: number } }[];
};
