/**
 * The only door users have to the image repository: an HTTP reverse proxy on the public registry
 * port. It checks Basic auth against the projects' push credentials, lets a project reach only
 * `<project>/…` repositories, filters the catalog to them, and forwards the rest to the private
 * registry with Anvil's system credential. Bodies stream both ways (blobs are large); the Host
 * header goes through so the registry's upload Locations point back at the gate.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { TProjectRef } from '../../contracts/admin';
import { CoreError } from '../errors';
import type { TRegistryBackend, TUpstream } from './registry-backend';
import type { RegistryClient } from './registry-client';
import type { RegistryCredentials } from './registry-credentials';
import { isInProject, parseRegistryPath } from './registry-paths';

export const GATE_REALM = 'Anvil image repository';
/** A connection (either side) with no traffic this long is closed. */
const IDLE_MS = 120_000;
/** Requests one project may have between the gate and the registry at once (docker pushes 3-5 layers in parallel). */
const PROJECT_MAX_IN_FLIGHT = 32;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade'];

type TErrorCode = 'UNAUTHORIZED' | 'DENIED' | 'NAME_UNKNOWN' | 'UNSUPPORTED' | 'UNAVAILABLE' | 'TOOMANYREQUESTS';

export type TRegistryGateOptions = {
  credentials: RegistryCredentials;
  backend: TRegistryBackend;
  client: RegistryClient;
};

export class RegistryGate {
  private readonly server: http.Server;
  // No shared cap on upstream sockets: one project must not be able to use them all (see PROJECT_MAX_IN_FLIGHT).
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly inFlight = new Map<string, number>();
  private listening: net.AddressInfo | undefined;
  private listenError: string | undefined;

  constructor(private readonly opts: TRegistryGateOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!(e instanceof CoreError)) console.error('[registry-gate] request failed:', e);
        if (res.headersSent) return void res.destroy();
        sendRegistryError(req, res, 503, 'UNAVAILABLE', e instanceof CoreError ? e.message : 'The image repository failed to answer.');
      });
    });
    // Blob uploads may take far longer than Node's default 5-minute request limit, but a connection
    // that moves no byte for IDLE_MS (a stalled upload, a slow drip) is closed.
    this.server.requestTimeout = 0;
    this.server.timeout = IDLE_MS;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens on host:port (0: a free port). A failure (port taken) is recorded for the repository page, never thrown. */
  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const onError = (e: NodeJS.ErrnoException) => {
        this.listenError = `The gate cannot listen on ${host}:${port} (${e.code ?? e.message}); set ANVIL_REGISTRY_PORT to a free port.`;
        resolve();
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.listening = this.server.address() as net.AddressInfo;
        resolve();
      });
    });
  }

  /** The port the gate listens on, or undefined (with `error()` saying why). */
  port(): number | undefined {
    return this.listening?.port;
  }

  error(): string | undefined {
    return this.listenError;
  }

  async close(): Promise<void> {
    if (this.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    }
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    const project = this.authenticate(req);
    if (!project) {
      res.setHeader('www-authenticate', `Basic realm="${GATE_REALM}"`);
      return sendRegistryError(req, res, 401, 'UNAUTHORIZED', 'authentication required');
    }
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const pathname = queryAt < 0 ? raw : raw.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1));
    const route = parseRegistryPath(pathname);
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (route.kind === 'base') return isRead ? sendJson(res, 200, {}) : sendRegistryError(req, res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
    if (route.kind === 'catalog') return isRead ? this.catalog(res, project, query) : sendRegistryError(req, res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
    if (route.kind === 'unknown') return sendRegistryError(req, res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    if (!isInProject(route.name, project.name)) {
      return sendRegistryError(req, res, 403, 'DENIED', `requested access to the resource is denied: push to ${project.name}/<repository>`);
    }
    // The registry reads parameters with Go's FormValue, which takes a form body's values before the
    // query's: a form-encoded `from=<other project>` would slip past the mount check below. Registry
    // clients never send form bodies, so none passes.
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (contentType.includes('application/x-www-form-urlencoded') || contentType.includes('multipart/form-data')) {
      return sendRegistryError(req, res, 415, 'UNSUPPORTED', 'form bodies are not accepted by the image repository');
    }
    // A cross-repository mount from outside the project would copy another project's blob: start a plain upload instead.
    let target = raw;
    const from = query.get('from');
    if (from !== null && !isInProject(from, project.name)) {
      query.delete('from');
      query.delete('mount');
      target = `${pathname}${query.size ? `?${query}` : ''}`;
    }
    // Each project gets its share of the registry: a project holding many slow uploads open waits, others do not.
    const held = this.inFlight.get(project.id) ?? 0;
    if (held >= PROJECT_MAX_IN_FLIGHT) return sendRegistryError(req, res, 429, 'TOOMANYREQUESTS', 'too many requests of this project in flight; retry later');
    this.inFlight.set(project.id, held + 1);
    res.once('close', () => {
      const now = (this.inFlight.get(project.id) ?? 1) - 1;
      if (now > 0) this.inFlight.set(project.id, now);
      else this.inFlight.delete(project.id);
    });
    return this.forward(req, res, await this.opts.backend.upstream(), target);
  }

  /** The project of the request's Basic credential, if it is right. */
  private authenticate(req: http.IncomingMessage): TProjectRef | undefined {
    const header = req.headers.authorization ?? '';
    if (!/^basic /i.test(header)) return undefined;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return undefined;
    return this.opts.credentials.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  /** `/v2/_catalog` with the project's repositories only; `n` and `last` page through them as on the registry. */
  private async catalog(res: http.ServerResponse, project: TProjectRef, query: URLSearchParams): Promise<void> {
    const all = (await this.opts.client.catalog()).filter((name) => isInProject(name, project.name)).sort();
    const last = query.get('last');
    const n = Number(query.get('n') ?? 'NaN');
    const after = last ? all.filter((name) => name > last) : all;
    const page = Number.isInteger(n) && n >= 0 ? after.slice(0, n) : after;
    if (page.length < after.length) res.setHeader('link', `</v2/_catalog?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}>; rel="next"`);
    sendJson(res, 200, { repositories: page });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, upstream: TUpstream, pathAndQuery: string): void {
    const target = new URL(upstream.origin);
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    if (upstream.authorization) headers.authorization = upstream.authorization;
    else delete headers.authorization;
    const isHttps = target.protocol === 'https:';
    const proxied = (isHttps ? https : http).request({
      hostname: target.hostname,
      port: target.port || (isHttps ? 443 : 80),
      method: req.method,
      path: pathAndQuery,
      headers,
      agent: isHttps ? this.agents.https : this.agents.http,
    });
    proxied.on('response', (answer) => {
      if (answer.statusCode === 401) {
        answer.resume();
        return sendRegistryError(req, res, 503, 'UNAVAILABLE', 'Anvil could not authenticate to its registry.');
      }
      const out: http.OutgoingHttpHeaders = { ...answer.headers };
      for (const name of [...HOP_BY_HOP, 'www-authenticate']) delete out[name];
      // An absolute Location naming the private registry would lead the client around the gate.
      if (typeof out.location === 'string' && out.location.startsWith(upstream.origin)) out.location = out.location.slice(upstream.origin.length);
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.once('error', () => res.destroy());
    });
    proxied.setTimeout(IDLE_MS, () => proxied.destroy(new Error(`no answer for ${IDLE_MS / 1000} s`)));
    proxied.once('error', (e) => {
      if (res.headersSent) return void res.destroy();
      sendRegistryError(req, res, 503, 'UNAVAILABLE', `The image repository did not answer (${e.message}).`);
    });
    // The client went away (a cancelled push): end the upstream request too.
    res.once('close', () => {
      if (!res.writableFinished) proxied.destroy();
    });
    req.pipe(proxied);
  }
}

/** The registry's error body: {"errors":[{code, message, detail}]}. */
function sendRegistryError(req: http.IncomingMessage, res: http.ServerResponse, status: number, code: TErrorCode, message: string): void {
  // An unread upload body is not worth reading to the end: close the connection instead.
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || !!req.headers['transfer-encoding'];
  sendJson(res, status, { errors: [{ code, message, detail: null }] }, hasBody && !req.complete ? { connection: 'close' } : {});
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
