/**
 * Alarm rules over real HTTP with a shortened minute (3 s): a rule on a service's 4xx count fires
 * after two periods over its threshold, not one; the service turns `concerning` with an event and
 * a console notification; a webhook receiver gets signed bodies (after a failed first attempt) that
 * verify with the rule's secret; the first quiet period resolves it and the service runs again.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, type TTestAnvil } from '../../../test-support/anvil-harness';
import { deployPackage } from '../../../test-support/deploy-package';

const MINUTE_MS = 3000;
const ECHO = 'from model_service.model_service import SingleNodeService\n\nclass Echo(SingleNodeService):\n    def _inference(self, data):\n        return data\n';

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let serviceId: string;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let failNext = true;

const call = async (method: string, p: string, body?: unknown, token = auth.token) => {
  const res = await fetch(`${anvil.url}${p}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextMinute = () => sleep(MINUTE_MS - (Date.now() % MINUTE_MS) + 20);

/** Runs `traffic` in the (shortened) minute that just began, then lets the collector close it, which evaluates the rules. */
async function minuteWith(traffic: () => Promise<void>): Promise<void> {
  const { collector } = anvil.core.monitoring;
  collector.tick();
  await traffic();
  collector.tick();
  await nextMinute();
  collector.tick();
}
const refused = async (n: number) => {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': 'wrong', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  }
};
const rule = (over: Record<string, unknown> = {}) => ({
  name: '4xx burst', scope: 'service', service_id: serviceId, metric: 'req_count_4xx', statistic: 'sum', comparison: '>', threshold: 2,
  period_minutes: 1, consecutive_periods: 2, severity: 'major', webhook_url: receiverUrl, ...over,
});

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(failNext ? 503 : 204).end();
      failNext = false;
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/anvil`;
  anvil = await startTestAnvil(undefined, { monitoring: { autoStart: false, minuteMs: MINUTE_MS, webhookRetryDelaysMs: [100, 200] } });
  auth = await getToken(anvil.url);
  ({ serviceId } = await deployPackage(anvil.url, auth, 'alarmed', ECHO));
}, 120_000);

afterAll(async () => {
  await anvil?.close();
  receiver?.close();
});

describe('alarm rules', () => {
  it('refuses bad rules naming the field, and stores none of them', async () => {
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ threshold: 'x' }))).toMatchObject({ status: 400 });
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ service_id: undefined }))).toMatchObject({ status: 400, body: { field: 'service_id' } });
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ metric: 'nope' }))).toMatchObject({ status: 400, body: { field: 'metric' } });
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ period_minutes: 7 }))).toMatchObject({ status: 400, body: { field: 'period_minutes' } });
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ scope: 'version', version_id: 'not-a-version' }))).toMatchObject({ status: 400, body: { field: 'version_id' } });
    expect(await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ webhook_url: 'ftp://x' }))).toMatchObject({ status: 400, body: { field: 'webhook_url' } });
    expect((await call('GET', `/v1/${auth.projectId}/alarm-rules`)).body.rules).toEqual([]);
  });

  it('fires after two periods over the threshold, makes the service concerning, notifies and calls the webhook; resolves when quiet', async () => {
    const created = await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule());
    expect(created.status).toBe(201);
    const secret = created.body.webhook_secret as string;
    expect(secret).toMatch(/^[\w-]{32}$/);
    await nextMinute();

    await minuteWith(() => refused(5));
    expect((await call('GET', `/v1/${auth.projectId}/alarms`)).body.alarms).toEqual([]);

    await minuteWith(() => refused(4));
    const firing = (await call('GET', `/v1/${auth.projectId}/alarms?state=firing`)).body.alarms;
    expect(firing).toEqual([expect.objectContaining({ rule_name: '4xx burst', service_id: serviceId, metric: 'req_count_4xx', state: 'firing', value: 4, threshold: 2, severity: 'major' })]);
    const service = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}`)).body;
    expect(service.status).toBe('concerning');
    expect(anvil.core.services.get(auth.projectId, serviceId).statusReason).toContain('Alarm "4xx burst" (major) is firing');
    const events = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/events`)).body.events as { message: string }[];
    expect(events[0].message).toMatch(/^Alarm 4xx burst \(major\) is firing: req_count_4xx sum 4 > 2 for 2 × 1 min$/);
    expect(anvil.core.monitoring.alarms.notifications(auth.projectId)).toMatchObject({ unread: 1, items: [{ title: 'MAJOR: 4xx burst' }] });
    // Still answering: concerning services serve.
    expect((await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);

    await anvil.core.monitoring.alarms.settled();
    expect(received).toHaveLength(2);
    for (const r of received) {
      const expected = `sha256=${createHmac('sha256', secret).update(`${r.headers['x-anvil-timestamp']}.${r.body}`).digest('hex')}`;
      expect(r.headers['x-anvil-signature']).toBe(expected);
    }
    // The secret shown later is the one that signs.
    expect((await call('GET', `/v1/${auth.projectId}/alarm-rules/${created.body.id}/webhook-secret`)).body).toEqual({ webhook_secret: secret });
    expect(JSON.parse(received[1].body)).toMatchObject({ event: 'alarm.firing', service: { id: serviceId, name: 'alarmed' }, alarm: { state: 'firing', value: 4 } });
    const deliveries = (await call('GET', `/v1/${auth.projectId}/alarms/${firing[0].id}/deliveries`)).body.deliveries;
    expect(deliveries).toEqual([
      expect.objectContaining({ event: 'firing', attempt: 1, status: 'retrying', http_status: 503 }),
      expect.objectContaining({ event: 'firing', attempt: 2, status: 'delivered', http_status: 204 }),
    ]);

    await minuteWith(async () => undefined);
    const alarms = (await call('GET', `/v1/${auth.projectId}/alarms`)).body.alarms;
    // The alarm's value is the period that resolved it.
    expect(alarms).toEqual([expect.objectContaining({ state: 'resolved', resolved_at: expect.any(Number), value: 0 })]);
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}`)).body.status).toBe('running');
    const after = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/events`)).body.events as { message: string }[];
    expect(after[0].message).toBe('Alarm 4xx burst is resolved: req_count_4xx sum 0');
    await anvil.core.monitoring.alarms.settled();
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ event: 'alarm.resolved', alarm: { state: 'resolved' } });
  }, 60_000);

  it('resolves a firing alarm whose rule is pointed at another target (it would otherwise fire forever)', async () => {
    const [existing] = (await call('GET', `/v1/${auth.projectId}/alarm-rules`)).body.rules;
    expect((await call('PUT', `/v1/${auth.projectId}/alarm-rules/${existing.id}`, rule({ consecutive_periods: 1, webhook_url: '' }))).status).toBe(200);
    await minuteWith(() => refused(4));
    expect((await call('GET', `/v1/${auth.projectId}/alarms?state=firing`)).body.alarms).toHaveLength(1);
    const versionId = anvil.core.services.get(auth.projectId, serviceId).versions[0].id;
    expect((await call('PUT', `/v1/${auth.projectId}/alarm-rules/${existing.id}`, rule({ consecutive_periods: 1, webhook_url: '', scope: 'version', version_id: versionId }))).status).toBe(200);
    // At once, not at the next minute.
    expect((await call('GET', `/v1/${auth.projectId}/alarms?state=firing`)).body.alarms).toEqual([]);
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}`)).body.status).toBe('running');
    expect(anvil.core.monitoring.alarms.notifications(auth.projectId).items[0]).toMatchObject({ title: 'Resolved: 4xx burst', message: 'alarmed: the rule no longer watches this service or version' });
    expect((await call('DELETE', `/v1/${auth.projectId}/alarm-rules/${existing.id}`)).status).toBe(204);
  }, 60_000);

  it('resolves the alarms of a deleted rule at once, and still announces it on the bell and the webhook', async () => {
    const created = await call('POST', `/v1/${auth.projectId}/alarm-rules`, rule({ name: 'doomed', consecutive_periods: 1 }));
    await minuteWith(() => refused(4));
    const [firing] = (await call('GET', `/v1/${auth.projectId}/alarms?state=firing`)).body.alarms;
    expect(firing).toMatchObject({ rule_name: 'doomed' });
    await anvil.core.monitoring.alarms.settled();
    const before = received.length;
    expect((await call('DELETE', `/v1/${auth.projectId}/alarm-rules/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/${auth.projectId}/alarms?state=firing`)).body.alarms).toEqual([]);
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}`)).body.status).toBe('running');
    expect(anvil.core.monitoring.alarms.notifications(auth.projectId).items[0]).toMatchObject({ title: 'Resolved: doomed', message: 'alarmed: the rule was deleted' });
    await anvil.core.monitoring.alarms.settled();
    const sent = received.slice(before).map((r) => JSON.parse(r.body));
    expect(sent).toEqual([expect.objectContaining({ event: 'alarm.resolved', alarm: expect.objectContaining({ id: firing.id, state: 'resolved' }) })]);
  }, 60_000);

  it('drops alarm history, notifications and deliveries past their retention, never a firing alarm', () => {
    const { db } = anvil.core;
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('alarms')).toBeGreaterThan(0);
    expect(count('notifications')).toBeGreaterThan(0);
    expect(count('webhook_deliveries')).toBeGreaterThan(0);
    db.prepare("INSERT INTO alarms (id, rule_id, project_id, service_id, version_id, rule_name, severity, metric, comparison, threshold, state, value, fired_at, resolved_at) VALUES ('old-firing', 'r', ?, ?, '', 'x', 'minor', 'cpu_usage', '>', 1, 'firing', 2, 0, NULL)")
      .run(auth.projectId, serviceId);
    db.prepare("INSERT INTO notifications (project_id, alarm_id, title, message, created_at) VALUES (?, 'old-firing', 'still firing', '', 0)").run(auth.projectId);
    expect(anvil.core.monitoring.purgeAlarmHistory(Date.now() + 31 * 86_400_000)).toBeGreaterThan(2);
    // A firing alarm stays, and so does what it sent.
    expect(db.prepare('SELECT id FROM alarms').all()).toEqual([{ id: 'old-firing' }]);
    expect(db.prepare('SELECT title FROM notifications').all()).toEqual([{ title: 'still firing' }]);
    expect(count('webhook_deliveries')).toBe(0);
    db.prepare("DELETE FROM alarms WHERE id = 'old-firing'").run();
    db.prepare("DELETE FROM notifications WHERE alarm_id = 'old-firing'").run();
  });
});
