/**
 * `npm run bench:gateway`: what the gateway costs, against the same upstream instance, in one run on
 * loopback. Upstreams: a Python model-server instance that answers at once ("echo") and one that
 * sleeps 10 ms. Targets, interleaved round by round at the same concurrency, no pipelining:
 *   - direct to the instance's port;
 *   - Anvil's gateway with token auth (bare pass-through: no rule, no limit);
 *   - Anvil's gateway with a pre-signed AK/SK request, a personalized rule and a QPS limit set high;
 *   - Debian's nginx as a plain reverse proxy with keep-alive to the same instance.
 * Prints throughput ratios to direct (autocannon, fixed duration), the added p50/p99 latency at a
 * fixed 1,000 req/s (an open-loop generator timed with hrtime, latency counted from each request's
 * scheduled start, so a stall is not hidden), and the first SSE event through the gateway vs direct.
 * Anvil runs in a child process so the load generator does not share its event loop.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { signRequest } from '../../server/core/gateway/auth/sdk-signature';
import { getToken, waitFor } from '../../server/test-support/anvil-harness';
import { startFlags } from './start-flags';

const PORT = Number(process.env.BENCH_PORT ?? 3901);
const NGINX_PORT = PORT + 1;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = 1000;
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 5);
const BODY = JSON.stringify({ data: [1, 2, 3] });

const MODELS: Record<string, string> = {
  echo: 'class Echo(SingleNodeService):\n    def _inference(self, data):\n        return data\n',
  sleep10: 'import time\nclass Sleep(SingleNodeService):\n    def _inference(self, data):\n        time.sleep(0.01)\n        return data\n',
  sse: 'import time\nclass Events(SingleNodeService):\n    def _inference(self, data):\n        yield {"i": 0}\n        time.sleep(0.5)\n        yield {"i": 1}\n',
};

/** `isBreakdown`: not one of the four targets; run only when BENCH_TARGETS names it, to split a cost into its parts. */
type TTarget = { name: string; url: string; headers: Record<string, string>; before?: () => Promise<void>; isBreakdown?: boolean };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-bench-gw-'));
  const url = `http://127.0.0.1:${PORT}`;
  // Node's flags as `npm start` gives them, plus BENCH_NODE_ARGS (e.g. --cpu-prof) to look inside.
  const nodeArgs = [...startFlags(), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts', '--no-console'], {
    env: {
      ...process.env, PORT: String(PORT), HOST: '127.0.0.1', ANVIL_DATA_DIR: dataDir, ANVIL_ADMIN_PASSWORD: 'integration-pass',
      ANVIL_DEFAULT_POOL: 'local', ANVIL_DOCKER: 'off', ANVIL_REGISTRY_PORT: '0', ANVIL_POOL_CPUS: '16', ANVIL_POOL_MEMORY_GIB: '32',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let nginx: ReturnType<typeof spawn> | undefined;
  try {
    await waitFor(async () => (await fetch(`${url}/v3/auth/tokens`, { method: 'POST', body: '{}' }).catch(() => undefined))?.status === 400, 30_000, 'Anvil up');
    const { token, projectId } = await getToken(url);
    const call = async (p: string, method = 'GET', body?: unknown) =>
      (await (await fetch(`${url}${p}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    // The upstream instances: three tiny packages on the process runtime.
    await fetch(`${url}/obs/bench`, { method: 'PUT', headers: { 'x-auth-token': token } });
    const services: Record<string, { id: string; port: number }> = {};
    for (const [name, code] of Object.entries(MODELS)) {
      const put = (key: string, body: string) => fetch(`${url}/obs/bench/${name}/model/${key}`, { method: 'PUT', headers: { 'x-auth-token': token }, body });
      await put('config.json', JSON.stringify({ model_algorithm: name, model_type: 'MindSpore', runtime: 'aarch64' }));
      await put('customize_service.py', `from model_service.model_service import SingleNodeService\n${code}`);
      const { model_id } = await call(`/v1/${projectId}/models`, 'POST', { model_name: `bench-${name}`, source_location: `obs://bench/${name}` });
      await waitFor(async () => (await call(`/v1/${projectId}/models/${model_id}`)).model_status === 'normal', 30_000, `${name} imported`);
      const { service_id } = await call(`/v1/${projectId}/services`, 'POST', { service_name: `bench-${name}`, schedule: [], config: [{ model_id, specification: 'cpu.1u2g' }] });
      await waitFor(async () => (await call(`/v1/${projectId}/services/${service_id}`)).status === 'running', 60_000, `${name} running`);
      services[name] = { id: service_id, port: (await call(`/v1/${projectId}/services/${service_id}`)).instances[0].port };
    }

    const userId = (await call('/v3/users')).users.find((u: { name: string }) => u.name === 'admin').id as string;
    const { credential } = await call('/v3.0/OS-CREDENTIAL/credentials', 'POST', { credential: { user_id: userId, description: 'bench' } });

    const targetsFor = (name: string): TTarget[] => {
      const svc = services[name];
      const gw = `${url}/v1/infers/${svc.id}`;
      const versionId = (call(`/v1/${projectId}/services/${svc.id}`) as Promise<{ config: { version_id: string }[] }>).then((s) => s.config[0].version_id);
      // Pre-signed: X-Sdk-Date stays valid for 15 minutes and the body never changes.
      const signed = signRequest({ method: 'POST', url: gw, headers: { 'content-type': 'application/json' }, body: BODY, ak: credential.access, sk: credential.secret });
      const tracing = (settings: Record<string, unknown>) => call(`/v1/${projectId}/services/${svc.id}/trace-settings`, 'PUT', settings);
      const bare = async () => {
        await call(`/v1/${projectId}/services/${svc.id}/rules`, 'PUT', { rules: [] });
        await call(`/v1/${projectId}/services/${svc.id}/access`, 'PUT', { qps_limit: null });
        await tracing({ sample_rate: 1, capture_payloads: false });
      };
      const full = async () => {
        await call(`/v1/${projectId}/services/${svc.id}/rules`, 'PUT', { rules: [{ condition: "#HEADER_x-canary == 'yes' or #HEADER_uid.hashCode() % 100 < 10", version_id: await versionId }] });
        await call(`/v1/${projectId}/services/${svc.id}/access`, 'PUT', { qps_limit: 100_000 });
      };
      return [
        { name: 'direct to the instance', url: `http://127.0.0.1:${svc.port}/`, headers: { 'content-type': 'application/json' } },
        { name: 'gateway, token', url: gw, headers: { 'content-type': 'application/json', 'x-auth-token': token }, before: bare },
        { name: 'gateway, AK/SK + rule + QPS limit', url: gw, headers: { ...signed, 'x-client': 'bench' }, before: full },
        { name: 'gateway, AK/SK only', url: gw, headers: { ...signed, 'x-client': 'bench' }, before: bare, isBreakdown: true },
        { name: 'gateway, token + rule + QPS limit', url: gw, headers: { 'content-type': 'application/json', 'x-auth-token': token, 'x-client': 'bench' }, before: full, isBreakdown: true },
        // Tracing is on for every request by default ("gateway, token"); these two set it off, or capture payloads too.
        {
          name: 'gateway, token, tracing off', url: gw, headers: { 'content-type': 'application/json', 'x-auth-token': token }, isBreakdown: true,
          before: async () => {
            await bare();
            await tracing({ sample_rate: 0 });
          },
        },
        {
          name: 'gateway, token, payload capture', url: gw, headers: { 'content-type': 'application/json', 'x-auth-token': token }, isBreakdown: true,
          before: async () => {
            await bare();
            await tracing({ capture_payloads: true });
          },
        },
        { name: 'nginx reverse proxy', url: `http://127.0.0.1:${NGINX_PORT}/${name}/`, headers: { 'content-type': 'application/json' } },
      ];
    };

    nginx = startNginx(dataDir, { echo: services.echo.port, sleep10: services.sleep10.port });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${NGINX_PORT}/echo/`, { method: 'POST', body: BODY }).catch(() => undefined))?.status === 200, 10_000, 'nginx up');

    console.log(`\nAnvil gateway benchmark — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}`);
    for (const upstream of ['echo', 'sleep10']) {
      // BENCH_TARGETS=token,nginx keeps the targets whose name contains one of the words (direct always stays: it is the base).
      const wanted = process.env.BENCH_TARGETS?.split(',');
      const targets = targetsFor(upstream).filter((t, i) => i === 0 || (wanted ? wanted.some((w) => t.name.includes(w)) : !t.isBreakdown));
      const rps = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      const onlyLatency = process.env.BENCH_ONLY === 'latency';
      if (onlyLatency && upstream !== 'echo') continue;
      for (const t of onlyLatency ? [] : targets) {
        await t.before?.();
        await autocannon({ url: t.url, method: 'POST', headers: t.headers, body: BODY, connections: CONNECTIONS, duration: 1 });
      }
      for (let round = 0; round < (onlyLatency ? 0 : ROUNDS); round++) {
        for (const t of targets) {
          await t.before?.();
          const cpuBefore = cpuMicros(child.pid!);
          const r = await autocannon({ url: t.url, method: 'POST', headers: t.headers, body: BODY, connections: CONNECTIONS, duration: SECONDS });
          cpu.get(t.name)!.push((cpuMicros(child.pid!) - cpuBefore) / r.requests.total);
          if (r.errors + r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
          rps.get(t.name)!.push(r.requests.total / r.duration);
        }
      }
      const direct = median(rps.get(targets[0].name)!);
      if (!onlyLatency) console.log(`\nUpstream "${upstream}" — throughput, ${CONNECTIONS} connections, median of ${ROUNDS} interleaved rounds of ${SECONDS} s:\n`);
      if (!onlyLatency) console.log('| target | req/s | ratio to direct | Anvil CPU µs per request |\n| --- | --- | --- | --- |');
      for (const t of onlyLatency ? [] : targets) {
        const viaAnvil = t.url.startsWith(url);
        console.log(`| ${t.name} | ${median(rps.get(t.name)!).toFixed(0)} | ${(median(rps.get(t.name)!) / direct).toFixed(3)} | ${viaAnvil ? median(cpu.get(t.name)!).toFixed(0) : '–'} |`);
      }

      if (upstream !== 'echo' || process.env.BENCH_ONLY === 'throughput') continue;
      const lat = new Map<string, { p50: number[]; p99: number[] }>(targets.map((t) => [t.name, { p50: [], p99: [] }]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of targets) {
          await t.before?.();
          const sorted = await constantRate(t, RATE, RATE_SECONDS);
          lat.get(t.name)!.p50.push(percentile(sorted, 50));
          lat.get(t.name)!.p99.push(percentile(sorted, 99));
        }
      }
      const base = lat.get(targets[0].name)!;
      console.log(`\nLatency at a constant ${RATE} req/s (open loop, ${RATE_SECONDS} s per round, median of ${ROUNDS} rounds), microseconds:\n`);
      console.log('| target | p50 µs | p99 µs | added p50 µs | added p99 µs |');
      console.log('| --- | --- | --- | --- | --- |');
      for (const t of targets) {
        const l = lat.get(t.name)!;
        const [p50, p99] = [median(l.p50), median(l.p99)];
        console.log(`| ${t.name} | ${p50.toFixed(0)} | ${p99.toFixed(0)} | ${(p50 - median(base.p50)).toFixed(0)} | ${(p99 - median(base.p99)).toFixed(0)} |`);
      }
    }

    const firsts = { direct: [] as number[], gateway: [] as number[] };
    for (let i = 0; i < 5; i++) {
      firsts.direct.push(await firstEvent(`http://127.0.0.1:${services.sse.port}/`, {}));
      firsts.gateway.push(await firstEvent(`${url}/v1/infers/${services.sse.id}`, { 'x-auth-token': token }));
    }
    console.log(`\nSSE, first event after the request (median of 5): direct ${median(firsts.direct).toFixed(2)} ms, gateway ${median(firsts.gateway).toFixed(2)} ms (+${(median(firsts.gateway) - median(firsts.direct)).toFixed(2)} ms)`);
  } finally {
    nginx?.kill('SIGQUIT');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** User + system CPU time a process has used so far, in microseconds (Linux /proc). */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Debian's nginx in the foreground, proxying /<name>/ to each instance over keep-alive connections. */
function startNginx(dir: string, ports: Record<string, number>): ReturnType<typeof spawn> {
  const bin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
  if (!bin) throw new Error('nginx is not installed: apt-get install -y nginx-light');
  const prefix = path.join(dir, 'nginx');
  fs.mkdirSync(path.join(prefix, 'logs'), { recursive: true });
  const upstreams = Object.entries(ports).map(([name, port]) => `upstream ${name} { server 127.0.0.1:${port}; keepalive 64; }`).join('\n  ');
  const locations = Object.keys(ports)
    .map((name) => `location /${name}/ { proxy_pass http://${name}/; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }`)
    .join('\n    ');
  const conf = `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  ${upstreams}
  server {
    listen 127.0.0.1:${NGINX_PORT};
    ${locations}
  }
}`;
  fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
  const check = spawnSync(bin, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx configuration: ${check.stderr}`);
  return spawn(bin, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'ignore' });
}

/**
 * Open-loop load at `rate` req/s for `seconds` over keep-alive connections: each request has a
 * scheduled start, and its latency runs from that moment, so a stall counts for every request it
 * delayed (as wrk2 does). Returns the latencies in microseconds, sorted.
 */
async function constantRate(t: TTarget, rate: number, seconds: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = rate * seconds;
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  let sent = 0;
  let pending = 0;
  await new Promise<void>((resolve, reject) => {
    const fire = (scheduledNs: bigint) => {
      pending++;
      const req = http.request(t.url, { method: 'POST', headers: { ...t.headers, 'content-length': Buffer.byteLength(BODY) }, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${t.name}: status ${res.statusCode}`));
          latencies.push(Number(process.hrtime.bigint() - scheduledNs) / 1000);
          if (--pending === 0 && sent === total) resolve();
        });
      });
      req.on('error', reject);
      req.end(BODY);
    };
    const tick = () => {
      const elapsedNs = process.hrtime.bigint() - start;
      const due = Math.min(total, Math.floor((Number(elapsedNs) / 1e9) * rate));
      for (; sent < due; sent++) fire(start + BigInt(Math.round((sent / rate) * 1e9)));
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

/** Milliseconds from sending the request to the first SSE event. */
function firstEvent(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers } }, (res) => {
      res.once('data', () => {
        resolve(performance.now() - started);
        res.destroy();
      });
    });
    req.on('error', reject);
    req.end('{}');
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
