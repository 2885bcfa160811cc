/**
 * Monitoring end to end over real HTTP: predictions through the gateway become the metrics of guide
 * table 5-1, exactly, per status class and per level; the process runtime's /proc readings become
 * CPU and memory usage; GET /metrics parses with a Prometheus text parser and is scoped by token.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getToken, startTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage } from '../../test-support/deploy-package';

const SCRAPE_TOKEN = 'scrape-token-for-tests-0123456789';
const MODEL = `
from model_service.model_service import SingleNodeService

class Echo(SingleNodeService):
    def _inference(self, data):
        if data.get("fail"):
            raise ValueError("asked to fail")
        return data
`;

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let serviceId: string;
type TMonitor = { series: { metric_name: string; unit: string; model_id: string; instance_id: string; datapoints: [number, number][] }[]; step_ms: number; ready_since: number | null };

const predict = (body: unknown, token = auth.token) =>
  fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
const get = async (p: string, token = auth.token) => {
  const res = await fetch(`${anvil.url}${p}`, { headers: { 'x-auth-token': token } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const monitor = async (query: string) => (await get(`/v1/${auth.projectId}/services/${serviceId}/monitor?${query}`)).body as unknown as TMonitor;
const total = (m: TMonitor, metric: string) => m.series.filter((s) => s.metric_name === metric).flatMap((s) => s.datapoints).reduce((n, [, v]) => n + v, 0);

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { monitoring: { autoStart: false, scrapeToken: SCRAPE_TOKEN } });
  auth = await getToken(anvil.url);
  ({ serviceId } = await deployPackage(anvil.url, auth, 'monitored', MODEL));
  const { collector } = anvil.core.monitoring;
  collector.tick();
  collector.closeMinute();
  // The window under test: 25 answers, 3 model failures, 7 refusals at the gateway.
  const statuses = [];
  for (let i = 0; i < 25; i++) statuses.push(await predict({ i }));
  for (let i = 0; i < 3; i++) statuses.push(await predict({ fail: true }));
  for (let i = 0; i < 7; i++) statuses.push(await predict({ i }, 'not-a-token'));
  expect(statuses.filter((s) => s === 200)).toHaveLength(25);
  expect(statuses.filter((s) => s >= 500)).toHaveLength(3);
  expect(statuses.filter((s) => s === 401)).toHaveLength(7);
  collector.tick();
  await new Promise((r) => setTimeout(r, 300));
  collector.tick();
  collector.closeMinute();
}, 120_000);

afterAll(() => anvil?.close());

describe('metrics of table 5-1', () => {
  it('lists the guide\'s 17 metrics with their units, and the extras', async () => {
    const { body } = await get(`/v1/${auth.projectId}/metrics/catalog`);
    const metrics = body.metrics as { metric_name: string; unit: string; in_guide: boolean }[];
    expect(body.namespace).toBe('SYS.ModelArts');
    expect(metrics.filter((m) => m.in_guide).map((m) => `${m.metric_name} ${m.unit}`)).toEqual([
      'cpu_usage %', 'mem_usage %', 'gpu_util %', 'gpu_mem_usage %', 'npu_util %', 'npu_mem_usage %',
      'successfully_called_times Count/min', 'failed_called_times Count/min', 'total_called_times Count/min',
      'disk_read_rate bit/min', 'disk_write_rate bit/min', 'send_bytes_rate bit/min', 'recv_bytes_rate bit/min',
      'req_count_2xx Count/min', 'req_count_4xx Count/min', 'req_count_5xx Count/min', 'avg_latency ms',
    ]);
    expect(metrics.filter((m) => !m.in_guide).map((m) => m.metric_name)).toEqual(['latency_p50', 'latency_p95', 'latency_p99', 'inflight_requests']);
  });

  it('counts every request sent through the gateway, exactly, per status class', async () => {
    const m = await monitor('metrics=total_called_times,successfully_called_times,failed_called_times,req_count_2xx,req_count_4xx,req_count_5xx&hours=1');
    expect(Object.fromEntries(['total_called_times', 'successfully_called_times', 'failed_called_times', 'req_count_2xx', 'req_count_4xx', 'req_count_5xx'].map((k) => [k, total(m, k)]))).toEqual({
      total_called_times: 35, successfully_called_times: 25, failed_called_times: 10, req_count_2xx: 25, req_count_4xx: 7, req_count_5xx: 3,
    });
    expect(m.series.every((s) => s.model_id === '' && s.instance_id === '')).toBe(true);
  });

  it('counts per version and per instance what reached them (refusals stay at the service)', async () => {
    const detail = anvil.core.services.get(auth.projectId, serviceId);
    const version = await monitor('metrics=total_called_times,req_count_5xx&level=version');
    expect(total(version, 'total_called_times')).toBe(28);
    expect(version.series[0].model_id).toBe(detail.versions[0].id);
    const instance = await monitor('metrics=total_called_times&level=instance');
    expect(total(instance, 'total_called_times')).toBe(28);
    expect(instance.series[0].instance_id).toBe(detail.instances[0].id);
  });

  it('gives latency as an average and percentiles, in ms', async () => {
    const m = await monitor('metrics=avg_latency,latency_p50,latency_p99');
    for (const metric of ['avg_latency', 'latency_p50', 'latency_p99']) {
      const values = m.series.find((s) => s.metric_name === metric)!.datapoints.map(([, v]) => v);
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) expect(v).toBeGreaterThan(0);
    }
  });

  it('reads CPU and memory of a process instance from /proc as a share of its flavor (cpu.1u2g)', async () => {
    const m = await monitor('metrics=cpu_usage,mem_usage,gpu_util,send_bytes_rate&level=instance');
    const mem = m.series.find((s) => s.metric_name === 'mem_usage')!.datapoints.map(([, v]) => v);
    // A Python model server with numpy holds tens of MB of the 2 GiB: between 0.1% and 50%.
    expect(mem.some((v) => v > 0.1 && v < 50)).toBe(true);
    expect(m.series.find((s) => s.metric_name === 'cpu_usage')!.datapoints.length).toBeGreaterThan(0);
    // No GPU, and no per-process network on the process runtime: no series rather than zeros.
    expect(m.series.filter((s) => s.metric_name === 'gpu_util' || s.metric_name === 'send_bytes_rate')).toEqual([]);
    expect(m.ready_since).toBeGreaterThan(0);
  });

  it('refuses unknown metrics and bad ranges naming the field', async () => {
    const bad = async (query: string) => (await get(`/v1/${auth.projectId}/services/${serviceId}/monitor?${query}`));
    expect(await bad('metrics=cpu_usage,nope')).toMatchObject({ status: 400, body: { field: 'metrics' } });
    expect((await bad('hours=2')).status).toBe(400);
    expect(await bad('from=2000&to=1000')).toMatchObject({ status: 400, body: { field: 'range.to' } });
    expect((await get(`/v1/${auth.projectId}/services/00000000-0000-0000-0000-000000000000/monitor`)).status).toBe(404);
  });
});

describe('GET /metrics (Prometheus)', () => {
  const scrape = (headers: Record<string, string>) => fetch(`${anvil.url}/metrics`, { headers });
  const samples = async (res: Response) => parsePrometheusTextFormat(await res.text()) as { name: string; type: string; metrics: { value: string; labels: Record<string, string> }[] }[];

  it('parses as the text format, with the dimensions as labels and one level per sample', async () => {
    const res = await scrape({ authorization: `Bearer ${auth.token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = await samples(res);
    const calls = families.find((f) => f.name === 'total_called_times')!;
    expect(calls.type).toBe('GAUGE');
    const service = calls.metrics.find((m) => m.labels.service_id === serviceId && m.labels.level === 'service')!;
    expect(service.labels).toMatchObject({ project_id: auth.projectId, service_name: 'monitored', model_id: '', instance_id: '' });
    expect(Number(service.value)).toBeGreaterThan(0);
    expect(calls.metrics.filter((m) => m.labels.service_id === serviceId).map((m) => m.labels.level).sort()).toEqual(['instance', 'service', 'version']);
  });

  it('needs a token: the operator\'s scrape token sees every project, an IAM token its own', async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    const all = await samples(await scrape({ authorization: `Bearer ${SCRAPE_TOKEN}` }));
    expect(all.find((f) => f.name === 'total_called_times')!.metrics.some((m) => m.labels.service_id === serviceId)).toBe(true);
    const headers = { 'x-auth-token': auth.token, 'content-type': 'application/json' };
    const created = await fetch(`${anvil.url}/v3/projects`, { method: 'POST', headers, body: JSON.stringify({ project: { name: 'elsewhere' } }) });
    const project = ((await created.json()) as { project: { id: string } }).project;
    const users = ((await (await fetch(`${anvil.url}/v3/users`, { headers })).json()) as { users: { id: string; name: string }[] }).users;
    await fetch(`${anvil.url}/v3/projects/${project.id}/users/${users.find((u) => u.name === 'admin')!.id}`, { method: 'PUT', headers });
    const other = await getToken(anvil.url, { name: 'elsewhere' });
    const theirsRes = await scrape({ 'x-auth-token': other.token });
    expect(theirsRes.status).toBe(200);
    const theirs = await samples(theirsRes);
    expect(theirs.find((f) => f.name === 'total_called_times')).toBeDefined();
    expect(theirs.flatMap((f) => f.metrics).some((m) => m.labels.service_id === serviceId)).toBe(false);
  });

  it('exports current values only: a series without a point for minutes (an instance gone) is left out', async () => {
    anvil.core.monitoring.store.write([{ metric: 'cpu_usage', serviceId, modelId: 'v-gone', instanceId: 'i-gone', ts: Date.now() - 10 * 60_000, value: 99 }]);
    const families = await samples(await scrape({ authorization: `Bearer ${auth.token}` }));
    const cpu = families.find((f) => f.name === 'cpu_usage')!.metrics.filter((m) => m.labels.service_id === serviceId);
    expect(cpu.map((m) => m.labels.level).sort()).toEqual(['instance', 'service', 'version']);
    expect(cpu.some((m) => m.labels.instance_id === 'i-gone')).toBe(false);
  });
});

describe('Cloud Eye queries (guide §5.1: every dimension of a multi-dimension object is mandatory)', () => {
  const hour = () => ({ from: String(Date.now() - 3_600_000), to: String(Date.now() + 60_000) });
  const metricData = async (params: Record<string, string>) => {
    const res = await fetch(`${anvil.url}/V1.0/${auth.projectId}/metric-data?${new URLSearchParams({ namespace: 'SYS.ModelArts', period: '1', filter: 'sum', ...hour(), ...params })}`, {
      headers: { 'x-auth-token': auth.token },
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const versionId = () => anvil.core.services.get(auth.projectId, serviceId).versions[0].id;

  it('gives an online service\'s calls by service_id, and a model load\'s CPU by service_id and model_id', async () => {
    const calls = await metricData({ metric_name: 'total_called_times', 'dim.0': `service_id,${serviceId}` });
    expect(calls.status).toBe(200);
    expect(calls.body.metric_name).toBe('total_called_times');
    expect(calls.body.datapoints.reduce((n: number, d: { sum: number }) => n + d.sum, 0)).toBeGreaterThanOrEqual(35);
    expect(calls.body.datapoints[0]).toEqual({ sum: expect.any(Number), timestamp: expect.any(Number), unit: 'Count/min' });
    const load = await metricData({ metric_name: 'total_called_times', 'dim.0': `service_id,${serviceId}`, 'dim.1': `model_id,${versionId()}` });
    expect(load.body.datapoints.reduce((n: number, d: { sum: number }) => n + d.sum, 0)).toBe(28);
    const cpu = await metricData({ metric_name: 'cpu_usage', filter: 'average', 'dim.0': `service_id,${serviceId}`, 'dim.1': `model_id,${versionId()}` });
    expect(cpu.status).toBe(200);
    expect(cpu.body.datapoints.length).toBeGreaterThan(0);
    expect(cpu.body.datapoints[0].unit).toBe('%');
    // Five-minute periods: one datapoint covers the minutes written above.
    const five = await metricData({ metric_name: 'total_called_times', period: '300', filter: 'max', 'dim.0': `service_id,${serviceId}` });
    expect(five.body.datapoints.every((d: { timestamp: number }) => d.timestamp % 300_000 === 0)).toBe(true);
  });

  it('refuses a query without all of a model load\'s dimensions, or on an object the metric is not measured on', async () => {
    expect(await metricData({ metric_name: 'cpu_usage', 'dim.0': `service_id,${serviceId}` })).toMatchObject({
      status: 400, body: { field: 'dim.0', error_msg: expect.stringContaining('every dimension of a multi-dimension object is mandatory') },
    });
    expect(await metricData({ metric_name: 'cpu_usage', 'dim.0': `model_id,${versionId()}` })).toMatchObject({ status: 400, body: { field: 'dim.0' } });
    expect(await metricData({ metric_name: 'req_count_2xx', 'dim.0': `service_id,${serviceId}`, 'dim.1': `model_id,${versionId()}` })).toMatchObject({
      status: 400, body: { error_msg: expect.stringContaining('measured on an online service') },
    });
    expect(await metricData({ metric_name: 'cpu_usage' })).toMatchObject({ status: 400 });
    expect(await metricData({ metric_name: 'cpu_usage', 'dim.0': `service_id,${serviceId}`, 'dim.1': 'model_id,not-a-version' })).toMatchObject({ status: 400 });
    expect(await metricData({ metric_name: 'cpu_usage', 'dim.0': `service_id,${serviceId}`, 'dim.1': `service_id,${serviceId}` })).toMatchObject({ status: 400, body: { field: 'dim.1' } });
    expect(await metricData({ metric_name: 'cpu_usage', 'dim.0': serviceId })).toMatchObject({ status: 400, body: { field: 'dim.0' } });
    expect(await metricData({ namespace: 'SYS.ECS', metric_name: 'cpu_usage', 'dim.0': `service_id,${serviceId}` })).toMatchObject({ status: 400, body: { field: 'namespace' } });
    expect(await metricData({ metric_name: 'cpu_util', 'dim.0': `service_id,${serviceId}` })).toMatchObject({ status: 400, body: { field: 'metric_name' } });
    expect(await metricData({ metric_name: 'total_called_times', period: '7', 'dim.0': `service_id,${serviceId}` })).toMatchObject({ status: 400, body: { field: 'period' } });
    expect(await metricData({ metric_name: 'total_called_times', from: '0', 'dim.0': `service_id,${serviceId}` })).toMatchObject({ status: 400, body: { field: 'period' } });
    expect(await metricData({ metric_name: 'total_called_times', 'dim.0': 'service_id,00000000-0000-0000-0000-000000000000' })).toMatchObject({ status: 404 });
  });

  it('answers a batch in the order asked, and refuses it whole when one metric lacks a dimension', async () => {
    const batch = (metrics: unknown[]) =>
      fetch(`${anvil.url}/V1.0/${auth.projectId}/batch-query-metric-data`, {
        method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' },
        body: JSON.stringify({ metrics, from: Date.now() - 3_600_000, to: Date.now() + 60_000, period: '1', filter: 'sum' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> })); // eslint-disable-line @typescript-eslint/no-explicit-any
    const service = [{ name: 'service_id', value: serviceId }];
    const load = [...service, { name: 'model_id', value: versionId() }];
    const ok = await batch([
      { namespace: 'SYS.ModelArts', metric_name: 'req_count_4xx', dimensions: service },
      { namespace: 'SYS.ModelArts', metric_name: 'total_called_times', dimensions: load },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.metrics.map((m: { metric_name: string; unit: string }) => `${m.metric_name} ${m.unit}`)).toEqual(['req_count_4xx Count/min', 'total_called_times Count/min']);
    expect(ok.body.metrics[1].dimensions).toEqual(load);
    expect(ok.body.metrics[1].datapoints.reduce((n: number, d: { sum: number }) => n + d.sum, 0)).toBe(28);
    expect(await batch([
      { namespace: 'SYS.ModelArts', metric_name: 'total_called_times', dimensions: service },
      { namespace: 'SYS.ModelArts', metric_name: 'mem_usage', dimensions: service },
    ])).toMatchObject({ status: 400, body: { field: 'metrics.1.dimensions' } });
  });
});

describe('WebSocket upgrades', () => {
  it('count a refused upgrade among the service\'s 4xx calls', async () => {
    const { collector } = anvil.core.monitoring;
    const before = await monitor('metrics=req_count_4xx&hours=1');
    const refusal = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${anvil.url.replace('http', 'ws')}/v1/infers/${serviceId}`, { headers: { 'x-auth-token': auth.token } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('open', () => reject(new Error('a plain service accepted a WebSocket')));
      ws.on('error', () => undefined);
    });
    expect(refusal).toBe(404);
    collector.tick();
    collector.closeMinute();
    expect(total(await monitor('metrics=req_count_4xx&hours=1'), 'req_count_4xx')).toBe(total(before, 'req_count_4xx') + 1);
  });
});
