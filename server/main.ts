/**
 * Anvil's one process: the console (Next.js), tRPC at /api/trpc, socket.io at /socket.io and the
 * public REST API, all on one port. `startAnvil` is also what the integration tests start.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createAnvilCore, type TAnvilCore, type TAnvilCoreOptions } from './core/anvil-core';
import { gatePublicHost } from './core/images/registry-service';
import { readEnv, type TEnv } from './env';
import { attachCloudShell } from './realtime/cloud-shell';
import { attachLiveUpdates } from './realtime/live-updates';
import { answerClientError, isWellEncoded, sendError, sendInternalError } from './rest/http-io';
import { handleInferUpgrade, handleRest } from './rest/rest-router';
import { appRouter } from './trpc/app-router';
import { createContext } from './trpc/init';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type TAnvilServer = { url: string; core: TAnvilCore; close(opts?: { stopContainers?: boolean }): Promise<void> };

export async function startAnvil(
  env: TEnv,
  opts: { withConsole: boolean; dev?: boolean; predictionTimeoutMs?: number; deployMinuteMs?: number; lifecycle?: TAnvilCoreOptions['lifecycle'] } & Pick<TAnvilCoreOptions, 'zipLimits' | 'loginLimits' | 'docker' | 'monitoring'>,
): Promise<TAnvilServer> {
  const core = await createAnvilCore({
    dataDir: env.dataDir,
    python: env.ANVIL_PYTHON,
    instanceBaseEnv: env.instanceBaseEnv,
    instanceUser: env.ANVIL_INSTANCE_USER,
    runDir: env.runDir,
    adminPassword: env.ANVIL_ADMIN_PASSWORD,
    masterKey: env.ANVIL_MASTER_KEY,
    predictionTimeoutMs: opts.predictionTimeoutMs,
    deployMinuteMs: opts.deployMinuteMs,
    lifecycle: opts.lifecycle,
    monitoring: {
      retention: { rawRetentionMs: env.ANVIL_METRICS_RAW_DAYS * 86_400_000, hourlyRetentionMs: env.ANVIL_METRICS_HOURLY_DAYS * 86_400_000 },
      alarmHistoryMs: env.ANVIL_ALARM_HISTORY_DAYS * 86_400_000,
      scrapeToken: env.ANVIL_METRICS_TOKEN,
      tickMs: env.ANVIL_METRICS_TICK_MS,
      minuteMs: env.ANVIL_METRICS_MINUTE_MS,
      ...opts.monitoring,
    },
    zipLimits: opts.zipLimits,
    loginLimits: opts.loginLimits,
    imageRepository: {
      gate: { host: env.ANVIL_REGISTRY_HOST, port: env.ANVIL_REGISTRY_PORT }, publicHost: gatePublicHost(env.ANVIL_REGISTRY_HOST, env.ANVIL_PUBLIC_URL),
      externalUrl: env.ANVIL_REGISTRY_URL, binary: env.ANVIL_REGISTRY_BIN, searchPath: env.instanceBaseEnv.PATH,
    },
    poolCapacity: { cpus: env.ANVIL_POOL_CPUS, memoryGiB: env.ANVIL_POOL_MEMORY_GIB },
    docker: { autoDetect: env.ANVIL_DOCKER !== 'off', dockerHost: env.DOCKER_HOST, ...opts.docker },
    defaultPool: env.ANVIL_DEFAULT_POOL,
    pipIndexUrl: env.ANVIL_PIP_INDEX_URL,
  });
  const trpc = createHTTPHandler({ router: appRouter, basePath: '/api/trpc/', createContext: ({ req, res }) => createContext(core, req, res) });

  let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  let nextUpgrade: ((req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => Promise<void>) | undefined;
  if (opts.withConsole) {
    const { default: next } = await import('next');
    const app = next({ dev: !!opts.dev, dir: ROOT, quiet: !opts.dev });
    await app.prepare();
    nextHandler = app.getRequestHandler();
    nextUpgrade = app.getUpgradeHandler();
  }

  let publicUrl = env.ANVIL_PUBLIC_URL ?? '';
  const route = (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | void => {
    if (handleRest(core, req, res, publicUrl)) return;
    if (req.url?.startsWith('/api/trpc/')) return trpc(req, res);
    // Next answers a malformed escape in a page's path with a bare 500.
    if (nextHandler && req.url?.includes('%') && !isWellEncoded(req.url)) return sendError(res, 400, 'ModelArts.0101', 'The request path or query is not valid percent-encoding.');
    if (nextHandler) return nextHandler(req, res);
    sendError(res, 404, 'ModelArts.0102', 'Not found.');
  };
  // One request that throws (now or later) gets a 500 with a request id; it never ends the process.
  // Node would answer a missing Host with a bare 400; Anvil answers it in its JSON error shape.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    try {
      if (!req.headers.host && req.httpVersion === '1.1') return sendError(res, 400, 'ModelArts.0101', 'An HTTP/1.1 request must carry a Host header.');
      const pending = route(req, res);
      if (pending) pending.catch((e: unknown) => sendInternalError(req, res, e));
    } catch (e) {
      sendInternalError(req, res, e);
    }
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 65_000;
  const io = attachLiveUpdates(core, server, { publicUrl: env.ANVIL_PUBLIC_URL });
  attachCloudShell(core, io);
  // socket.io answers its own upgrades; WebSocket services get theirs from the gateway; Next (dev reload) the rest.
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/socket.io')) return;
    if (handleInferUpgrade(core, req, socket, head)) return;
    if (nextUpgrade) void nextUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
  publicUrl ||= url;

  let closing: Promise<void> | undefined;
  return {
    url,
    core,
    close: (closeOpts = {}) =>
      (closing ??= (async () => {
        // Shells end first, so their clients hear "Anvil is shutting down" rather than a dropped connection.
        core.cloudShell.close();
        const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
        // io.close waits for the HTTP server to close, which waits for every connection: a keep-alive
        // connection whose response finished a moment ago is not idle yet and would hold it for 65 s.
        server.closeAllConnections();
        await ioClosed;
        await core.close({ stopContainers: closeOpts.stopContainers ?? env.ANVIL_STOP_CONTAINERS_ON_EXIT });
      })()),
  };
}

/** The `npm start` entry: reads the environment, serves, and shuts down cleanly on SIGTERM/SIGINT. */
export async function main(): Promise<void> {
  const env = readEnv();
  const dev = process.argv.includes('--dev');
  const anvil = await startAnvil(env, { withConsole: !process.argv.includes('--no-console'), dev });
  console.log(`Anvil is listening on ${anvil.url} (data in ${env.dataDir})`);
  const isolation = anvil.core.driver.isolation();
  if (isolation.confined) console.log(`Model instances run as ${isolation.user} in ${env.runDir}.`);
  else console.warn(`Warning: Anvil runs as ${isolation.user}, not root: ${isolation.note}.`);
  if (isolation.warning) console.warn(`Warning: ${isolation.warning}.`);
  anvil.core.images.warmUp();
  const registry = anvil.core.images.status();
  console.log(registry.problem ? `Image repository unavailable: ${registry.problem.detail}` : `Image repository: docker login ${registry.address}`);
  if (anvil.core.generatedAdminPassword) {
    console.log(`First start: created user "admin" in domain "anvil", project "default".`);
    console.log(`Admin password (shown once; set ANVIL_ADMIN_PASSWORD to choose it): ${anvil.core.generatedAdminPassword}`);
  }
  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping instances and closing Anvil…`);
    anvil.close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Last resort: every known path handles its errors (tests fail on unhandled ones); one that slips
  // through is logged instead of ending every instance with the process.
  process.on('unhandledRejection', (reason) => console.error('[anvil] unhandled rejection; Anvil keeps serving:', reason));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
