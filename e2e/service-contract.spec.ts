/**
 * A service's contract in the console: the calling guide shows its OpenAPI document (read through
 * the gateway) and Python and JavaScript calls that work as copied; the prediction tab builds its
 * form from the same schema, flags a bad value before sending, and switches to raw JSON.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { login, ServicePage } from './pages/console';
import { api, deploy } from './pages/gateway';

const REPEAT_MODEL = `from model_service.model_service import SingleNodeService

class Repeat(SingleNodeService):
    def _inference(self, data):
        text = data["text"] * int(data["times"])
        return {"text": text.upper() if data.get("shout") else text}
`;
const CONFIG = {
  model_algorithm: 'repeat', model_type: 'MindSpore', runtime: 'aarch64',
  apis: [{
    url: '/', method: 'post',
    request: { 'Content-type': 'application/json', data: { type: 'object', required: ['text', 'times'], properties: { text: { type: 'string' }, times: { type: 'integer', minimum: 1, maximum: 5 }, shout: { type: 'boolean' } } } },
    response: { 'Content-type': 'application/json', data: { type: 'object', properties: { text: { type: 'string' } } } },
  }],
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-contract-e2e-'));

test('the calling guide\'s contract and examples, and the prediction form built from the schema', async ({ page, request }) => {
  const a = await api(request);
  expect((await a.call('PUT', '/obs/contract-e2e')).status).toBe(201);
  await a.call('PUT', '/obs/contract-e2e/repeat/model/config.json', Buffer.from(JSON.stringify(CONFIG)));
  await a.call('PUT', '/obs/contract-e2e/repeat/model/customize_service.py', Buffer.from(REPEAT_MODEL));
  const model = await a.call('POST', `/v1/${a.projectId}/models`, { model_name: 'repeat', source_location: 'obs://contract-e2e/repeat' });
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/models/${model.json.model_id}`)).json.model_status, { timeout: 30_000 }).toBe('normal');
  const serviceId = await deploy(a, 'repeat-svc', model.json.model_id);

  await login(page, `/services/${serviceId}`);
  const service = new ServicePage(page);
  await service.tab('Calling guide').click();
  const contract = page.getByTestId('service-contract');
  await expect(contract.getByTestId('openapi-url')).toHaveText(new RegExp(`/v1/infers/${serviceId}/openapi\\.json$`));
  await expect(contract.getByTestId('contract-operation')).toContainText('POST / predict');
  const schema = JSON.parse((await contract.getByTestId('contract-request-schema').textContent())!);
  expect(schema).toEqual(CONFIG.apis[0].request.data);
  await expect(contract.getByRole('link', { name: 'Download openapi.json' })).toHaveAttribute('download', `${serviceId}-openapi.json`);

  // The JavaScript and Python calls work as copied, with a token in TOKEN.
  /** Runs an example; it prints the status and the answer's body. */
  const run = (file: string, program: string, text: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    const out = execFileSync(program, [file], { cwd: dir, env: { ...process.env, TOKEN: a.token }, encoding: 'utf8', timeout: 20_000 });
    const space = out.indexOf(' ');
    return { status: Number(out.slice(0, space)), body: JSON.parse(out.slice(space + 1)) as unknown };
  };
  await page.getByRole('tab', { name: 'JavaScript' }).click();
  const js = (await page.getByTestId('javascript-example').textContent())!;
  expect(run('call.mjs', process.execPath, js.replace('"text": ""', '"text": "ab"').replace('"times": 0', '"times": 2'))).toEqual({ status: 200, body: { text: 'abab' } });
  await page.getByRole('tab', { name: 'Python' }).click();
  const py = (await page.getByTestId('python-example').textContent())!;
  // Debian's python3 with python3-requests (.ci/run installs it).
  expect(run('call.py', '/usr/bin/python3', py.replace('"text": ""', '"text": "ab"').replace('"times": 0', '"times": 3'))).toEqual({ status: 200, body: { text: 'ababab' } });

  // The prediction form: typed fields from the schema, checked before anything is sent.
  await service.tab('Prediction').click();
  const form = page.getByTestId('predict-form');
  await form.getByLabel('text').fill('hi');
  await form.getByLabel('times').fill('two');
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(form.getByRole('alert')).toHaveText('Enter a number.');
  await form.getByLabel('times').fill('9');
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(form.getByRole('alert')).toHaveText('At most 5.');
  await expect(page.getByTestId('predict-result')).toHaveCount(0);
  await form.getByLabel('times').fill('2');
  await form.getByLabel('shout').check();
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('"text": "HIHI"');
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  expect(JSON.parse(await page.getByRole('textbox', { name: 'Request', exact: true }).inputValue())).toEqual({ text: 'hi', times: 2, shout: true });
  // Idle services of every spec share the e2e pool: this one goes.
  expect((await a.call('DELETE', `/v1/${a.projectId}/services/${serviceId}`)).status).toBe(204);
});
