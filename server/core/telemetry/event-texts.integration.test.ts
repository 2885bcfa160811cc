/**
 * Every event Anvil emits reads as the guide (or Anvil's own table) words it: one table of
 * scenarios drives the real code paths of a running Anvil (REST, real Python instances) and each
 * recorded event must be its template with the placeholders filled — nothing added, nothing changed.
 * A second check reads `server/core` for event codes, so a new event without a row here fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_MESSAGES, type TEventCode, type TEventRecord } from '../../contracts/events';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const MINUTE_MS = 1000; // a deploy-timeout minute: the 3-minute timeout row lasts 3 s
const HOUR_MS = 3000; // an auto-stop hour: the 1-hour auto-stop row stops after 3 s
const IRIS = JSON.parse(fs.readFileSync('examples/iris/model/config.json', 'utf8')) as Record<string, unknown>;
const IRIS_CODE = fs.readFileSync('examples/iris/model/customize_service.py', 'utf8');

let anvil: TTestAnvil;
let projectId: string;
let token: string;
const api = (p: string, init: RequestInit = {}) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

// ---- what each placeholder may hold --------------------------------------------------------------

/** Default `%s`: a non-empty value without surrounding spaces. `%d`: an integer. */
const TEXT = /^\S(?:[\s\S]*\S)?$/;
const INTEGER = /^\d+$/;
const FIELD = /^(?:[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*|JSON syntax)$/; // a config.json field, e.g. apis[0].url
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME = /^[\p{L}\p{Nd}_-]{1,64}$/u;
const PLACEHOLDERS: Partial<Record<TEventCode, RegExp[]>> = {
  A8: [FIELD],
  A41: [/^[^/\s][^\n]*$/],
  S8: [/^(?:deploy|start|stop|restart|update|run)$/, TEXT],
  S26: [NAME],
  S15: [INTEGER, /^hours?$/],
  S25: [NAME],
  X1: [ID, TEXT],
  X2: [ID],
  X3: [ID, TEXT],
  X12: [FIELD, TEXT],
};

/** The template with its `%s`/`%d` replaced by `args` in order, written independently of formatEventMessage. */
function filled(template: string, args: string[]): string {
  const parts = template.split(/%[sd]/);
  return parts.map((part, i) => part + (i < parts.length - 1 ? args[i] : '')).join('');
}

/** The event is its template, with exactly one well-formed value per placeholder. */
function expectGuideText(e: TEventRecord): void {
  const entry = EVENT_MESSAGES[e.code as TEventCode];
  expect(entry, `unknown event code ${e.code}`).toBeDefined();
  const holes = entry.en.match(/%[sd]/g) ?? [];
  const where = `${e.code} "${e.message}"`;
  expect(e.args, where).toHaveLength(holes.length);
  holes.forEach((hole, i) => expect(e.args[i], `${where}, value ${i + 1}`).toMatch(PLACEHOLDERS[e.code as TEventCode]?.[i] ?? (hole === '%d' ? INTEGER : TEXT)));
  expect(e.message, where).toBe(filled(entry.en, e.args));
  expect(e.type, where).toBe(entry.type);
}

// ---- how the rows drive Anvil --------------------------------------------------------------------

const obsPath = (key: string) => anvil.core.store.pathOf('texts', key);
async function putFile(key: string, body: string): Promise<void> {
  expect((await api(`/obs/texts/${key}`, { method: 'PUT', body })).status).toBe(201);
}
async function putPackage(folder: string, config: object | string, code = IRIS_CODE): Promise<void> {
  await putFile(`${folder}/model/config.json`, typeof config === 'string' ? config : JSON.stringify(config));
  await putFile(`${folder}/model/customize_service.py`, code);
}
async function importModel(name: string, folder = name): Promise<string> {
  const res = await api(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: name, source_location: `obs://texts/${folder}` }) });
  expect(res.status, await res.clone().text()).toBe(201);
  const { model_id } = (await res.json()) as { model_id: string };
  await waitFor(async () => anvil.core.registry.summary(projectId, model_id).status !== 'building', 20_000, `import of ${name}`);
  return model_id;
}
/** Imports `config` (iris otherwise) and waits for the import to end. */
const importPackage = async (name: string, config: object | string, code?: string) => {
  await putPackage(name, config, code);
  return importModel(name);
};

let irisId: string;
/** Deploys through REST; auto-stop is off unless `body.schedule` says otherwise. */
async function deploy(name: string, body: Record<string, unknown> = {}, modelId = irisId, config0: Record<string, unknown> = {}): Promise<string> {
  const config = [{ model_id: modelId, specification: 'cpu.1u2g', instance_count: 1, ...config0 }];
  const res = await api(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify({ service_name: name, schedule: [], ...body, config }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { service_id: string }).service_id;
}
const serviceStatus = (id: string) => anvil.core.services.summary(projectId, id).status;
const untilStatus = (id: string, status: string, ms = 30_000) => waitFor(async () => serviceStatus(id) === status, ms, `${id} ${status}`);

// ---- the table -----------------------------------------------------------------------------------

type TRow = {
  scenario: string;
  resource: 'app' | 'service';
  /** Drives Anvil and returns the resource whose events are checked. */
  drive: () => Promise<string>;
  /** The codes recorded, in order (exactly, or as a subsequence for services, whose lifecycle adds more). */
  codes: TEventCode[];
  isExact?: boolean;
  /** Values some events must carry (a string is matched exactly, a RegExp searched). */
  args?: Partial<Record<TEventCode, (string | RegExp)[]>>;
};

const ROWS: TRow[] = [
  {
    scenario: 'import succeeds',
    resource: 'app',
    drive: async () => {
      const res = await api('/obs/texts/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) });
      expect(res.status).toBe(201);
      return (irisId = await importModel('iris'));
    },
    codes: ['A1', 'A26', 'A27', 'A25'],
    isExact: true,
  },
  {
    scenario: 'description edited',
    resource: 'app',
    drive: async () => {
      anvil.core.registry.updateDescription(projectId, irisId, 'edited');
      return irisId;
    },
    codes: ['A1', 'A26', 'A27', 'A25', 'A13'],
    isExact: true,
  },
  {
    scenario: 'config.json field invalid: A8 names the field, X12 says why',
    resource: 'app',
    drive: () => importPackage('bad-field', { ...IRIS, model_algorithm: '9lives' }),
    codes: ['A1', 'A8', 'X12', 'A28'],
    isExact: true,
    args: { A8: ['model_algorithm'], X12: ['model_algorithm', 'must start with an English letter'] },
  },
  {
    scenario: 'config.json is not JSON',
    resource: 'app',
    drive: () => importPackage('bad-json', '{"model_type": "Scikit_Learn",'),
    codes: ['A1', 'A8', 'X11', 'A28'],
    isExact: true,
    args: { A8: ['JSON syntax'], X11: [/JSON/] },
  },
  {
    scenario: 'swr_location on a preset engine',
    resource: 'app',
    drive: () => importPackage('bad-swr', { ...IRIS, swr_location: 'swr.example/img:1' }),
    codes: ['A1', 'A4', 'A28'],
    isExact: true,
  },
  {
    scenario: 'custom image with dependencies',
    resource: 'app',
    drive: () =>
      importPackage('bad-image-deps', { model_algorithm: 'x', model_type: 'Image', swr_location: 'img:1', dependencies: [{ installer: 'pip', packages: [{ package_name: 'numpy' }] }] }),
    codes: ['A1', 'A3', 'A28'],
    isExact: true,
  },
  {
    scenario: 'custom image that is not in the repository',
    resource: 'app',
    drive: () => importPackage('no-image', { model_algorithm: 'x', model_type: 'Image', swr_location: 'img:1' }),
    codes: ['A1', 'A19', 'A28'],
    isExact: true,
  },
  {
    scenario: 'dependencies are accepted (installed when the image is built)',
    resource: 'app',
    drive: () => importPackage('with-deps', { ...IRIS, dependencies: [{ installer: 'pip', packages: [{ package_name: 'numpy', package_version: '1.16.4', restraint: 'EXACT' }] }] }),
    codes: ['A1', 'A26', 'A27', 'A25'],
    isExact: true,
  },
  {
    scenario: 'a model file over 5 GB',
    resource: 'app',
    drive: async () => {
      await putPackage('too-big', IRIS);
      // Sparse: 5 GiB + 1 byte on paper, nothing on disk; the import refuses it before copying.
      fs.closeSync(fs.openSync(obsPath('too-big/model/weights.bin'), 'w'));
      fs.truncateSync(obsPath('too-big/model/weights.bin'), 5 * 1024 ** 3 + 1);
      return importModel('too-big');
    },
    codes: ['A1', 'A41', 'A28'],
    isExact: true,
    args: { A41: ['weights.bin'] },
  },
  {
    scenario: 'copying the model fails: A29, then the reason',
    resource: 'app',
    drive: async () => {
      await putPackage('no-copy', IRIS);
      execFileSync('mkfifo', [obsPath('no-copy/model/pipe')]);
      return importModel('no-copy');
    },
    codes: ['A1', 'A29', 'X11', 'A28'],
    isExact: true,
    args: { X11: [/FIFO/i] },
  },
  {
    scenario: 'an import cut short by a stopped Anvil',
    resource: 'app',
    drive: async () => {
      const id = await importPackage('cut-short', IRIS);
      anvil.core.db.prepare(`UPDATE apps SET status = 'building' WHERE id = ?`).run(id);
      anvil.core.registry.recover(); // what createAnvilCore runs at start
      return id;
    },
    codes: ['A1', 'A26', 'A27', 'A25', 'X10', 'A28'],
    isExact: true,
  },
  {
    scenario: 'deploy succeeds',
    resource: 'service',
    drive: async () => {
      const id = await deploy('texts-ok');
      await untilStatus(id, 'running');
      return id;
    },
    codes: ['S1', 'X2', 'S25'],
    args: { S25: ['texts-ok'] },
  },
  {
    scenario: 'a ready instance dies and is restarted',
    resource: 'service',
    drive: async () => {
      const id = await deploy('texts-crash');
      await untilStatus(id, 'running');
      const [instance] = anvil.core.reconciler.instancesOf(id);
      process.kill(instance.pid!, 'SIGKILL');
      await waitFor(async () => anvil.core.events.list('service', id).filter((e) => e.code === 'X2').length >= 2, 20_000, 'restarted');
      return id;
    },
    codes: ['S1', 'X2', 'S25', 'X1', 'X2'],
    args: { X1: [ID, /signal SIGKILL/] },
  },
  {
    scenario: 'deploy fails: the model cannot start, nor when started again',
    resource: 'service',
    drive: async () => {
      const broken = await importPackage('texts-broken', IRIS, 'raise RuntimeError("weights file is corrupt")\n');
      const id = await deploy('texts-broken', {}, broken);
      await untilStatus(id, 'failed');
      await anvil.core.services.start(projectId, id);
      await waitFor(async () => anvil.core.events.list('service', id)[0].code === 'S26', 20_000, 'start failed');
      return id;
    },
    codes: ['S1', 'X3', 'X3', 'X3', 'S8', 'S11', 'X3', 'X3', 'X3', 'S8', 'S26'],
    args: { X3: [ID, /weights file is corrupt/], S8: ['deploy', /weights file is corrupt/], S26: ['texts-broken'] },
  },
  {
    scenario: 'not enough resources: the service waits',
    resource: 'service',
    drive: async () => {
      const id = await deploy('texts-wait', {}, irisId, { specification: 'cpu.8u32g', instance_count: 3 });
      await untilStatus(id, 'waiting', 10_000);
      return id;
    },
    codes: ['S1', 'S3', 'S2'],
  },
  {
    scenario: 'deploy timeout',
    resource: 'service',
    drive: async () => {
      await putFile('slow/model/config.json', fs.readFileSync('e2e/fixtures/slow-start/model/config.json', 'utf8'));
      await putFile('slow/model/customize_service.py', fs.readFileSync('e2e/fixtures/slow-start/model/customize_service.py', 'utf8'));
      const slow = await importModel('texts-slow', 'slow');
      const id = await deploy('texts-slow', { deploy_timeout: 3 }, slow, { envs: { SLOW_START_SECONDS: '60' } });
      await untilStatus(id, 'failed', 15_000);
      return id;
    },
    codes: ['S1', 'S27'],
    args: { S27: [/^0 of 1 instances ready after 3 minutes/] },
  },
  {
    scenario: 'stop, start and restart',
    resource: 'service',
    drive: async () => {
      const id = await deploy('texts-cycle');
      await untilStatus(id, 'running');
      await anvil.core.services.stop(projectId, id);
      await untilStatus(id, 'stopped');
      await anvil.core.services.start(projectId, id);
      await untilStatus(id, 'running');
      await anvil.core.services.restart(projectId, id);
      await untilStatus(id, 'running');
      return id;
    },
    codes: ['S1', 'S25', 'S12', 'S13', 'S11', 'S25', 'S12', 'S13', 'S11', 'S25'],
  },
  {
    scenario: 'auto-stop on, then due; and switched off',
    resource: 'service',
    drive: async () => {
      const id = await deploy('texts-auto', { schedule: [{ type: 'stop', time_unit: 'HOURS', duration: 1 }] });
      await untilStatus(id, 'stopped', 20_000);
      await anvil.core.services.start(projectId, id);
      await untilStatus(id, 'running');
      anvil.core.services.setAutoStop(projectId, id, { enabled: false, hours: 1 });
      return id;
    },
    codes: ['S1', 'S25', 'S15', 'S16', 'S11', 'S25', 'S15', 'S14'],
    args: { S15: ['1', 'hour'] },
  },
];

/**
 * Codes in `server/core` that no row drives yet, each with why. The coverage check below requires
 * this list to be exact, so adding a row means removing its code here.
 */
const NOT_DRIVEN_YET: Partial<Record<TEventCode, string>> = {
  S18: 'an auto-stop that is refused: needs a way to make the stop fail',
  S23: 'a stop whose instances cannot be ended: text checked in deploy/service-lifecycle.integration.test.ts (injected driver failure)',
  X4: 'readiness probe failures: text checked in deploy/service-lifecycle.integration.test.ts (a SIGSTOPped instance)',
  X5: 'readiness recovered: same fixture as X4',
  X6: 'liveness probe failures: text checked with X4',
  X7: 'startup probe failures: text checked in registry/image-apps.integration.test.ts (an EXEC probe that never passes)',
  X8: 'declared liveness probe failures: text checked in registry/image-apps.integration.test.ts',
  A7: 'an image without the tag: text checked in registry/image-apps.integration.test.ts (needs an image pushed with the docker CLI)',
  A20: 'image found: text checked in registry/image-apps.integration.test.ts',
  A33: 'application image built: text checked in images/app-image-builder.integration.test.ts (a real docker build with pip)',
  A34: 'application image build started: same as A33',
  A38: 'application image from the cache: same as A33 (a second deploy of the unchanged package)',
  A39: 'application image build failed: same as A33 (a package pip cannot find)',
  S4: 'service-side image build started: same as A33',
  S5: "service-side image build failed, with pip's log: same as A39",
  S7: 'service-side image built: same as A33',
  X14: 'CloudShell session opened: text checked in server/realtime/cloud-shell.integration.test.ts (a real socket.io terminal)',
  X15: 'CloudShell session closed: text checked with X14',
  X16: 'an alarm firing: text checked in monitoring/alarms/alarms.integration.test.ts (a rule on a shortened minute)',
  X17: 'an alarm resolved: same as X16',
  S10: 'versions of a service changed: text checked in deploy/service-versions.integration.test.ts (a version added to a running service)',
};

// ---- the checks ----------------------------------------------------------------------------------

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { deployMinuteMs: MINUTE_MS, lifecycle: { hourMs: HOUR_MS, drainGraceMs: 200 } });
  ({ token, projectId } = await getToken(anvil.url));
  expect((await api('/obs/texts', { method: 'PUT' })).status).toBe(201);
});
afterAll(() => stopTestAnvil(anvil));

describe('every emitted event is the guide text with its placeholders filled', () => {
  for (const row of ROWS) {
    it(row.scenario, async () => {
      const id = await row.drive();
      const events = anvil.core.events.list(row.resource, id).reverse();
      for (const e of events) expectGuideText(e);
      const codes = events.map((e) => e.code);
      if (row.isExact) expect(codes).toEqual(row.codes);
      else expect(isSubsequence(row.codes, codes), `${row.codes.join(' ')} within ${codes.join(' ')}`).toBe(true);
      for (const [code, expected] of Object.entries(row.args ?? {})) {
        const event = events.find((e) => e.code === code);
        expected.forEach((want, i) => (typeof want === 'string' ? expect(event?.args[i]).toBe(want) : expect(event?.args[i]).toMatch(want)));
      }
    }, 60_000);
  }
});

describe('the table covers every event the core records', () => {
  it('finds a row (or a reason in NOT_DRIVEN_YET) for each event code in server/core', () => {
    const inCore = new Set<string>();
    for (const file of sourceFiles('server/core')) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"]([ASX]\d{1,2})['"]/g)) inCore.add(m[1]);
    }
    const driven = new Set(ROWS.flatMap((r) => r.codes));
    const undriven = [...inCore].filter((c) => !driven.has(c as TEventCode)).sort();
    expect(undriven).toEqual(Object.keys(NOT_DRIVEN_YET).sort());
  });
});

function isSubsequence(wanted: string[], actual: string[]): boolean {
  let i = 0;
  for (const code of actual) if (code === wanted[i]) i++;
  return i === wanted.length;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}
