/** The calling guide's copy-paste shell lines. Every inserted value is shell-quoted: API urls and field names come from a model's config.json. */
import { exampleBody, fileFields } from '@/server/contracts/api-fields';
import type { TApiSpec } from '@/server/contracts/apps';

/** Quotes one word for POSIX sh: inside single quotes nothing is special but the quote itself. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The inference URL of one API of a service. */
export function apiUrl(origin: string, serviceId: string, api: Pick<TApiSpec, 'url'>): string {
  const base = `${origin}/v1/infers/${serviceId}`;
  return api.url === '/' ? base : `${base}${api.url}`;
}

/** `TOKEN=$(curl …)`: asks for a token with the user's names and keeps the X-Subject-Token header. */
export function tokenCurl(origin: string, who: { userName: string; domainName: string; projectName: string }): string {
  const body = JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: who.userName, password: '<password>', domain: { name: who.domainName } } } },
      scope: { project: { name: who.projectName } },
    },
  });
  return `TOKEN=$(curl -s -i -X POST ${shellQuote(`${origin}/v3/auth/tokens`)} -H 'Content-Type: application/json' -d ${shellQuote(body)} | awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\\r')`;
}

/** One call of the API: an upload per file field, or an example JSON body. `$TOKEN` stays expandable. */
export function callCurl(url: string, api: Pick<TApiSpec, 'method' | 'request'>): string {
  const head = `curl -X ${shellQuote(api.method)} ${shellQuote(url)} -H "X-Auth-Token: $TOKEN"`;
  const files = fileFields(api.request);
  if (files.length > 0) return `${head} ${files.map((f) => `-F ${shellQuote(`${f}=@/path/to/file.png`)}`).join(' ')}`;
  return `${head} -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(exampleBody(api.request)))}`;
}

/** The same call with another credential header in place of the token (service token, AppCode…). */
export function callCurlWith(url: string, api: Pick<TApiSpec, 'method' | 'request'>, header: string): string {
  return callCurl(url, api).replace('-H "X-Auth-Token: $TOKEN"', `-H "${header}"`);
}

/** A WebSocket round trip with Node and the `ws` package: send one message, print the answer, close. */
export function websocketExample(wsUrl: string, header: string): string {
  const at = header.indexOf(':');
  const script = `const W=require('ws');const w=new W(process.argv[1],{headers:{${JSON.stringify(header.slice(0, at))}:process.argv[2]}});w.on('open',()=>w.send('hello'));w.on('message',m=>{console.log(String(m));w.close()});w.on('unexpected-response',(q,r)=>{console.error(r.statusCode);process.exit(1)})`;
  return `node -e ${shellQuote(script)} ${shellQuote(wsUrl)} "${header.slice(at + 1).trim()}"`;
}

/** The call, read as Server-Sent Events while they stream (`-N`: no buffering in curl). */
export function sseCurl(url: string, api: Pick<TApiSpec, 'method' | 'request'>, header: string): string {
  return `${callCurlWith(url, api, header)} -N -H 'Accept: text/event-stream'`;
}
