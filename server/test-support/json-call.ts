/** A JSON call to Anvil's REST API with an API token: status and parsed body (an empty object when the answer is not JSON). */
export function jsonCaller(base: () => { url: string; token: string }) {
  return async (method: string, p: string, body?: unknown) => {
    const { url, token } = base();
    const res = await fetch(`${url}${p}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}
