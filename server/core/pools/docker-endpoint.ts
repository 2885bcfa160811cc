/**
 * A node's Docker Engine address as the administrator types it (`unix:///var/run/docker.sock`,
 * `tcp://host:2376`) turned into dockerode options; TCP needs TLS client certificates, since an
 * engine's API is root on that machine.
 */
import type Docker from 'dockerode';
import { invalid } from '../errors';

export type TNodeTls = { ca: string; cert: string; key: string };
export type TEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

const PEM = /^-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/;

/** Parses `endpoint`; a bad one is a field error on `endpoint`. */
export function parseEndpoint(endpoint: string): TEndpoint {
  const text = endpoint.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/') || socketPath.includes('\0')) throw invalid('endpoint', 'A unix endpoint needs an absolute socket path, e.g. unix:///var/run/docker.sock.');
    return { kind: 'unix', socketPath };
  }
  const tcp = /^tcp:\/\/([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(text);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw invalid('endpoint', 'The port must be 1-65535.');
    return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port };
  }
  throw invalid('endpoint', 'Use unix:///path/to/docker.sock or tcp://host:port (for example tcp://10.0.0.5:2376).');
}

/** Checks the three PEM blocks a TCP endpoint needs (field errors on tls.ca, tls.cert, tls.key). */
export function checkTls(endpoint: TEndpoint, tls: Partial<TNodeTls> | undefined): TNodeTls | undefined {
  if (endpoint.kind === 'unix') return undefined;
  for (const field of ['ca', 'cert', 'key'] as const) {
    const value = tls?.[field]?.trim() ?? '';
    if (!value) throw invalid(`tls.${field}`, 'A tcp:// engine needs TLS client certificates: paste the CA, the certificate and the key (PEM).');
    if (!PEM.test(value) || value.length > 64 * 1024) throw invalid(`tls.${field}`, 'Paste a PEM block (-----BEGIN …----- … -----END …-----).');
  }
  return { ca: tls!.ca!.trim(), cert: tls!.cert!.trim(), key: tls!.key!.trim() };
}

/** dockerode options for the endpoint; `timeoutMs` bounds every API call except streams that set their own. */
export function dockerOptions(endpoint: TEndpoint, tls: TNodeTls | undefined, timeoutMs?: number): Docker.DockerOptions {
  const timeout = timeoutMs ? { timeout: timeoutMs } : {};
  if (endpoint.kind === 'unix') return { socketPath: endpoint.socketPath, ...timeout };
  return { host: endpoint.host, port: endpoint.port, protocol: 'https', ca: tls?.ca, cert: tls?.cert, key: tls?.key, ...timeout };
}

/** The address instances' published ports are reached at: loopback for a local socket, the engine's host for TCP. */
export function publishHost(endpoint: TEndpoint): string {
  return endpoint.kind === 'unix' ? '127.0.0.1' : endpoint.host;
}

/** The local engine's endpoint: DOCKER_HOST (unix:// or tcp:// without TLS is refused) or the default socket. */
export function localEndpoint(dockerHost: string | undefined): string {
  return dockerHost?.startsWith('unix://') ? dockerHost : 'unix:///var/run/docker.sock';
}
