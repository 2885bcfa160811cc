/**
 * The calling guide's Python (`requests`) and JavaScript (`fetch`, Node 18+ or a browser) examples
 * of one API. Every value from a model's config.json (the url, field names) is written as a JSON
 * string literal, which both languages read back as the same text: nothing in it can become code.
 */
import { exampleBody, fileFields } from '@/server/contracts/api-fields';
import type { TApiSpec } from '@/server/contracts/apps';

type TApi = Pick<TApiSpec, 'method' | 'request'>;
/** A credential header and the environment variable its value comes from. */
export type TExampleAuth = { header: string; env: string; prefix?: string };
export const TOKEN_AUTH: TExampleAuth = { header: 'X-Auth-Token', env: 'TOKEN' };

const str = (text: string) => JSON.stringify(text);

/** A JSON value as a Python literal (None, True, False; strings and keys as JSON strings, which Python reads alike). */
export function pythonLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return str(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((v) => `${inner}${pythonLiteral(v, inner)},`).join('\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `${inner}${str(k)}: ${pythonLiteral(v, inner)},`).join('\n')}\n${indent}}`;
}

/** `python3 call.py` with the credential in the environment. */
export function pythonExample(url: string, api: TApi, auth: TExampleAuth = TOKEN_AUTH): string {
  const files = fileFields(api.request);
  const credential = auth.prefix ? `${str(auth.prefix)} + os.environ[${str(auth.env)}]` : `os.environ[${str(auth.env)}]`;
  const body = files.length > 0
    ? `    files={\n${files.map((f) => `        ${str(f)}: open("/path/to/file.png", "rb"),`).join('\n')}\n    },`
    : `    json=${pythonLiteral(exampleBody(api.request), '    ')},`;
  return [
    'import os',
    'import requests',
    '',
    'resp = requests.request(',
    `    ${str(api.method)},`,
    `    ${str(url)},`,
    `    headers={${str(auth.header)}: ${credential}},`,
    body,
    '    timeout=60,',
    ')',
    'print(resp.status_code, resp.text)',
  ].join('\n');
}

/** An ES module (`node call.mjs`, Node 18+) with the credential in the environment. */
export function fetchExample(url: string, api: TApi, auth: TExampleAuth = TOKEN_AUTH): string {
  const files = fileFields(api.request);
  const credential = auth.prefix ? `${str(auth.prefix)} + process.env[${str(auth.env)}]` : `process.env[${str(auth.env)}]`;
  const lines: string[] = [];
  if (files.length > 0) {
    lines.push('import { readFile } from "node:fs/promises";', '', 'const form = new FormData();');
    for (const f of files) lines.push(`form.append(${str(f)}, new Blob([await readFile("/path/to/file.png")]), "file.png");`);
    lines.push(
      `const res = await fetch(${str(url)}, {`,
      `  method: ${str(api.method)},`,
      `  headers: { ${str(auth.header)}: ${credential} },`,
      '  body: form,',
      '});',
    );
  } else {
    lines.push(
      `const res = await fetch(${str(url)}, {`,
      `  method: ${str(api.method)},`,
      `  headers: { ${str(auth.header)}: ${credential}, "Content-Type": "application/json" },`,
      `  body: JSON.stringify(${JSON.stringify(exampleBody(api.request), null, 2).replace(/\n/g, '\n  ')}),`,
      '});',
    );
  }
  lines.push('console.log(`${res.status} ${await res.text()}`);');
  return lines.join('\n');
}
