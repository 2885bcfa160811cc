/**
 * Log export over real sockets: a model that prints a line per request; its lines reach a Loki
 * push receiver (labels, nanosecond timestamps), a syslog server over UDP and over TCP (RFC 5424,
 * octet counting), and a daily file in the project's bucket; bad targets are refused by field, and
 * a receiver that fails is counted with its error.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage } from '../../test-support/deploy-package';
import { jsonCaller } from '../../test-support/json-call';

const MODEL = `
from model_service.model_service import SingleNodeService

class Talker(SingleNodeService):
    def _inference(self, data):
        print("exported line %s" % data.get("n"), flush=True)
        return data
`;

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let serviceId: string;
type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = jsonCaller(() => ({ url: anvil.url, token: auth.token }));
const setExport = (target: unknown) => call('PUT', `/v1/${auth.projectId}/services/${serviceId}/log-export`, target);
/** A prediction whose line the model prints, then until Anvil stored it (200 ms batches) and delivered it. */
async function say(n: number): Promise<void> {
  const res = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  await new Promise((r) => setTimeout(r, 500));
  anvil.core.logs.flush();
  await anvil.core.logExport.settled();
}

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { monitoring: { autoStart: false } });
  auth = await getToken(anvil.url);
  ({ serviceId } = await deployPackage(anvil.url, auth, 'exported', MODEL));
}, 120_000);

afterAll(() => anvil?.close());

describe('log export', () => {
  it('refuses bad targets naming the field', async () => {
    expect(await setExport({ kind: 'loki', url: 'ftp://x' })).toMatchObject({ status: 400, body: { field: 'url' } });
    expect(await setExport({ kind: 'syslog', host: 'h', port: 70000 })).toMatchObject({ status: 400, body: { field: 'port' } });
    expect(await setExport({ kind: 'syslog', host: 'bad host', port: 514 })).toMatchObject({ status: 400, body: { field: 'host' } });
    expect(await setExport({ kind: 'obs', bucket: 'not-ours' })).toMatchObject({ status: 400, body: { field: 'bucket' } });
    expect(await setExport({ kind: 'obs', bucket: 'packages', prefix: 'a/../../x' })).toMatchObject({ status: 400, body: { field: 'prefix' } });
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}/log-export`)).body.target).toEqual({ kind: 'off' });
  });

  it('pushes to Loki with the service and instance as labels', async () => {
    const pushes: TBody[] = [];
    const loki = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        pushes.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => loki.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(loki.address() as AddressInfo).port}/loki/api/v1/push`;
    expect((await setExport({ kind: 'loki', url })).body.target).toEqual({ kind: 'loki', url });
    await say(1);
    loki.close();
    const streams = pushes.flatMap((p) => p.body.streams) as { stream: Record<string, string>; values: [string, string][] }[];
    const ours = streams.find((s) => s.values.some(([, line]) => line === 'exported line 1'))!;
    expect(ours.stream).toEqual({ service_id: serviceId, service_name: 'exported', instance_id: anvil.core.services.get(auth.projectId, serviceId).instances[0].id, stream: 'stdout' });
    expect(ours.values.find(([, line]) => line === 'exported line 1')![0]).toMatch(/^\d{19}$/);
    expect(pushes[0]).toMatchObject({ path: '/loki/api/v1/push', type: 'application/json' });
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}/log-export`)).body.status).toMatchObject({ failedBatches: 0, lastError: '' });
  });

  it('sends RFC 5424 messages to syslog over UDP and over TCP with octet counting', async () => {
    const udp = dgram.createSocket('udp4');
    const datagrams: string[] = [];
    udp.on('message', (m) => datagrams.push(m.toString()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    await setExport({ kind: 'syslog', host: '127.0.0.1', port: udp.address().port });
    await say(2);
    udp.close();
    expect(datagrams.find((d) => d.endsWith('exported line 2'))).toMatch(/^<134>1 \d{4}-\d\d-\d\dT[\d:.]+Z anvil exported [0-9a-f]{8} - - exported line 2$/);

    let received = '';
    const tcp = net.createServer((s) => s.on('data', (c) => (received += c)));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    await setExport({ kind: 'syslog', host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, protocol: 'tcp' });
    await say(3);
    await new Promise((r) => setTimeout(r, 100));
    tcp.close();
    const framed = /(\d+) (<134>1 .* exported line 3)/.exec(received)!;
    expect(Number(framed[1])).toBe(Buffer.byteLength(framed[2]));
  });

  it('appends to a daily file in the project\'s bucket', async () => {
    expect((await setExport({ kind: 'obs', bucket: 'packages', prefix: 'service-logs' })).status).toBe(200);
    await say(4);
    const day = new Date().toISOString().slice(0, 10);
    const file = path.join(anvil.dataDir, 'obs', 'packages', 'service-logs', `exported-${serviceId.slice(0, 8)}`, `${day}.log`);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/Z [0-9a-f-]{36} stdout exported line 4\n/);
  });

  it('counts a failing receiver and keeps its error', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await setExport({ kind: 'loki', url: `http://127.0.0.1:${port}/loki/api/v1/push` });
    await say(5);
    const { status } = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/log-export`)).body;
    expect(status.failedBatches).toBeGreaterThan(0);
    expect(status.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    expect((await setExport({ kind: 'off' })).body.target).toEqual({ kind: 'off' });
  });
});
