/**
 * `npm run bench`: the example JSON model (iris).
 *  1. deploy click-to-ready: POST /v1/{project}/services → status running, median of 5, on the
 *     process runtime and (when the local Docker Engine has Anvil's runtime image) on the Docker pool;
 *  2. predictions/s and p50/p99 latency through /v1/infers/… versus the instance's own port,
 *     same concurrency and duration, rounds interleaved in one run, with the ratio.
 * Anvil runs in a child process (as in production) so the load generator does not share its event loop.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { getToken, waitFor, zipFolder } from '../../server/test-support/anvil-harness';
import { startFlags } from './start-flags';

const PORT = Number(process.env.BENCH_PORT ?? 3900);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DEPLOYS = 5;
const BODY = JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-bench-'));
  const url = `http://127.0.0.1:${PORT}`;
  const child = spawn(process.execPath, [...startFlags(), '--import', 'tsx', 'server/main.ts', '--no-console'], {
    env: {
      ...process.env, PORT: String(PORT), HOST: '127.0.0.1', ANVIL_DATA_DIR: dataDir, ANVIL_ADMIN_PASSWORD: 'integration-pass',
      ANVIL_DEFAULT_POOL: 'local', ANVIL_STOP_CONTAINERS_ON_EXIT: '1', ANVIL_REGISTRY_PORT: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(async () => (await fetch(`${url}/v3/auth/tokens`, { method: 'POST', body: '{}' }).catch(() => undefined))?.status === 400, 30_000, 'Anvil up');
    const { token, projectId } = await getToken(url);
    const call = (p: string, init: RequestInit = {}) => fetch(`${url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json' } });
    await call('/obs/models', { method: 'PUT' });
    await call('/obs/models/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) });
    const { model_id } = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'iris', source_location: 'obs://models/iris' }) })).json()) as { model_id: string };
    await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model_id}`)).json()) as { model_status: string }).model_status === 'normal');

    // 1. Deploy click-to-ready, per pool; the load test below uses the last process-runtime service.
    const deployOn = async (pool: string): Promise<{ ms: number[]; lastId: string }> => {
      const ms: number[] = [];
      let lastId = '';
      for (let i = 0; i < DEPLOYS; i++) {
        const started = performance.now();
        const res = await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify({ service_name: `bench-${pool}-${i}`, pool_name: pool, config: [{ model_id, specification: 'cpu.1u2g' }] }) });
        lastId = ((await res.json()) as { service_id: string }).service_id;
        await waitFor(async () => ((await (await call(`/v1/${projectId}/services/${lastId}`)).json()) as { status: string }).status === 'running', 60_000, 'running', 5);
        ms.push(performance.now() - started);
        if (i < DEPLOYS - 1 || pool !== 'local') await call(`/v1/${projectId}/services/${lastId}`, { method: 'DELETE' });
      }
      return { ms, lastId };
    };
    const pools = (await (await call(`/v1/${projectId}/pools`)).json().catch(() => ({}))) as { pools?: { id: string; unavailable_reason?: string; unavailableReason?: string }[] };
    const dockerPool = pools.pools?.find((p) => p.id === 'docker');
    const dockerDeploys = dockerPool && !(dockerPool.unavailable_reason ?? dockerPool.unavailableReason) ? await deployOn('docker') : undefined;
    const { ms: deployMs, lastId: serviceId } = await deployOn('local');
    const detail = (await (await call(`/v1/${projectId}/services/${serviceId}`)).json()) as { instances: { port: number }[] };
    const targets = {
      direct: { url: `http://127.0.0.1:${detail.instances[0].port}/`, headers: { 'content-type': 'application/json' } },
      gateway: { url: `${url}/v1/infers/${serviceId}`, headers: { 'content-type': 'application/json', 'x-auth-token': token } },
    };

    // 2. Interleaved load rounds: direct, gateway, direct, gateway, …
    const totals = { direct: { requests: 0, seconds: 0, p50: [] as number[], p99: [] as number[], errors: 0 }, gateway: { requests: 0, seconds: 0, p50: [] as number[], p99: [] as number[], errors: 0 } };
    for (const target of ['direct', 'gateway'] as const) await autocannon({ ...targets[target], method: 'POST', body: BODY, connections: CONNECTIONS, duration: 1 }); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of ['direct', 'gateway'] as const) {
        const r = await autocannon({ ...targets[target], method: 'POST', body: BODY, connections: CONNECTIONS, duration: SECONDS });
        const t = totals[target];
        t.requests += r.requests.total;
        t.seconds += r.duration;
        t.p50.push(r.latency.p50);
        t.p99.push(r.latency.p99);
        t.errors += r.errors + r.non2xx;
      }
    }

    const row = (name: string, t: (typeof totals)['direct']) =>
      `| ${name} | ${(t.requests / t.seconds).toFixed(0)} | ${median(t.p50).toFixed(1)} | ${median(t.p99).toFixed(1)} | ${t.errors} |`;
    const rps = (t: (typeof totals)['direct']) => t.requests / t.seconds;
    console.log(`\nAnvil benchmark — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}`);
    console.log(`\nDeploy click-to-ready (iris, process runtime, ${DEPLOYS} deploys): median ${median(deployMs).toFixed(0)} ms (all: ${deployMs.map((m) => m.toFixed(0)).join(', ')} ms)`);
    if (dockerDeploys) {
      const ms = dockerDeploys.ms;
      console.log(`Deploy click-to-ready (iris, Docker pool, cached runtime image, ${DEPLOYS} deploys): median ${median(ms).toFixed(0)} ms (all: ${ms.map((m) => m.toFixed(0)).join(', ')} ms)`);
    } else console.log('Deploy on the Docker pool: skipped (no ready Docker pool with Anvil\'s runtime image; see docs/images.md).');
    console.log(`\nPredictions, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s per target:\n`);
    console.log('| target | req/s | p50 ms (median of rounds) | p99 ms (median of rounds) | errors |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(row('direct to instance', totals.direct));
    console.log(row('through /v1/infers gateway', totals.gateway));
    console.log(`\nGateway/direct throughput ratio: ${(rps(totals.gateway) / rps(totals.direct)).toFixed(3)}; p50 latency ratio: ${(median(totals.gateway.p50) / median(totals.direct.p50)).toFixed(2)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
