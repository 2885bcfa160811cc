/**
 * The metrics Anvil publishes: the 17 of guide table 5-1 (namespace `SYS.ModelArts`, one point a
 * minute), with their units and the objects they are measured on, plus latency percentiles and
 * in-flight requests, which the guide does not have. Dimensions are table 5-2's: `service_id`, and
 * `model_id` for a model load (one version of the service); Anvil adds `instance_id` below that.
 */

export const METRIC_NAMESPACE = 'SYS.ModelArts' as const;
export const METRIC_PERIOD_MS = 60_000;
/** The live view's resolution: the collector's tick. */
export const LIVE_PERIOD_MS = 10_000;

/** Where a series is measured: a whole service, one model load (version), or one instance of it. */
export type TMetricLevel = 'service' | 'version' | 'instance';
/**
 * How 1-minute points combine into coarser buckets, and instances' values into their version's and
 * service's (every metric exists at all three levels; the guide has resources per model load and
 * calls per model load and service).
 */
export type TRollup = 'sum' | 'avg' | 'max';

export type TMetricDef = {
  id: string;
  name: { en: string; zh: string };
  unit: '%' | 'Count/min' | 'bit/min' | 'ms' | 'Count';
  rollup: TRollup;
  /** Chart group on the monitoring tab. */
  group: 'resource' | 'calls';
  /**
   * The objects table 5-1 measures it on: a model load (dimensions service_id and model_id) and/or
   * an online service (service_id). Cloud Eye queries must name exactly an object's dimensions.
   */
  objects: readonly TMeasuredObject[];
  /** Not in table 5-1. */
  isExtra?: boolean;
};

export type TMeasuredObject = 'model_load' | 'service';
const LOAD = ['model_load'] as const;
const SERVICE = ['service'] as const;
const BOTH = ['model_load', 'service'] as const;

export const METRICS: readonly TMetricDef[] = [
  { id: 'cpu_usage', name: { en: 'CPU usage', zh: 'CPU使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'mem_usage', name: { en: 'Memory usage', zh: '内存使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'gpu_util', name: { en: 'GPU usage', zh: 'GPU使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'gpu_mem_usage', name: { en: 'GPU memory usage', zh: 'GPU显存使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'npu_util', name: { en: 'NPU usage', zh: 'NPU使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'npu_mem_usage', name: { en: 'NPU memory usage', zh: 'NPU显存使用率' }, unit: '%', rollup: 'avg', group: 'resource', objects: LOAD },
  { id: 'successfully_called_times', name: { en: 'Successful calls', zh: '调用成功次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: BOTH },
  { id: 'failed_called_times', name: { en: 'Failed calls', zh: '调用失败次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: BOTH },
  { id: 'total_called_times', name: { en: 'Total calls', zh: '调用总次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: BOTH },
  { id: 'disk_read_rate', name: { en: 'Disk read rate', zh: '磁盘读取速率' }, unit: 'bit/min', rollup: 'sum', group: 'resource', objects: LOAD },
  { id: 'disk_write_rate', name: { en: 'Disk write rate', zh: '磁盘写入速率' }, unit: 'bit/min', rollup: 'sum', group: 'resource', objects: LOAD },
  { id: 'send_bytes_rate', name: { en: 'Uplink rate', zh: '上行速率' }, unit: 'bit/min', rollup: 'sum', group: 'resource', objects: LOAD },
  { id: 'recv_bytes_rate', name: { en: 'Downlink rate', zh: '下行速率' }, unit: 'bit/min', rollup: 'sum', group: 'resource', objects: LOAD },
  { id: 'req_count_2xx', name: { en: '2xx responses', zh: '2xx响应次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: SERVICE },
  { id: 'req_count_4xx', name: { en: '4xx errors', zh: '4xx异常次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: SERVICE },
  { id: 'req_count_5xx', name: { en: '5xx errors', zh: '5xx异常次数' }, unit: 'Count/min', rollup: 'sum', group: 'calls', objects: SERVICE },
  { id: 'avg_latency', name: { en: 'Average latency', zh: '平均延迟毫秒数' }, unit: 'ms', rollup: 'avg', group: 'calls', objects: SERVICE },
  { id: 'latency_p50', name: { en: 'Latency p50', zh: '延迟 p50' }, unit: 'ms', rollup: 'max', group: 'calls', objects: BOTH, isExtra: true },
  { id: 'latency_p95', name: { en: 'Latency p95', zh: '延迟 p95' }, unit: 'ms', rollup: 'max', group: 'calls', objects: BOTH, isExtra: true },
  { id: 'latency_p99', name: { en: 'Latency p99', zh: '延迟 p99' }, unit: 'ms', rollup: 'max', group: 'calls', objects: BOTH, isExtra: true },
  { id: 'inflight_requests', name: { en: 'Requests in flight', zh: '处理中请求数' }, unit: 'Count', rollup: 'max', group: 'calls', objects: BOTH, isExtra: true },
];

export const METRIC_IDS = METRICS.map((m) => m.id);
export type TMetricId = (typeof METRICS)[number]['id'];

const BY_ID = new Map(METRICS.map((m) => [m.id, m]));

export function metricDef(id: string): TMetricDef | undefined {
  return BY_ID.get(id);
}

/** The 17 metric ids of guide table 5-1, in its order. */
export const GUIDE_METRIC_IDS = METRICS.filter((m) => !m.isExtra).map((m) => m.id);
