/** Bad input that reaches the console's pages (issue 5 §1): a malformed escape gets a 400 in Anvil's error shape, not Next's bare 500. */
import { expect, test } from '@playwright/test';

test('a malformed percent-escape in a page path or query answers 400 {error_code, error_msg}', async ({ request }) => {
  for (const path of ['/services/%E0', '/apps/%', '/obs?bucket=%E0']) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect({ path, status: res.status() }).toEqual({ path, status: 400 });
    expect(await res.json()).toMatchObject({ error_code: 'ModelArts.0101', error_msg: expect.stringContaining('percent-encoding') });
  }
  expect((await request.get('/login')).status()).toBe(200);
});
