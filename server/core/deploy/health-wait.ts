import http from 'node:http';

/** One GET of the health URL; true on a 2xx answer within `timeoutMs`. */
export function checkHealth(host: string, port: number, timeoutMs = 1000, path = '/health'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
