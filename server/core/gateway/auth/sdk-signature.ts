/**
 * Huawei API Gateway AK/SK request signatures ("SDK-HMAC-SHA256"), canonicalised so that requests
 * signed by @huaweicloud/huaweicloud-sdk-core (AKSKSigner) and sent by its axios transport verify.
 * Pure: no I/O. The SDK's quirks we match on purpose are marked "SDK quirk".
 */
import crypto, { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SDK_ALGORITHM = 'SDK-HMAC-SHA256';
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const VERIFY_FAIL = 'verify aksk signature fail';
const DATE_HEADER = 'x-sdk-date';
const CONTENT_SHA256_HEADER = 'x-sdk-content-sha256';
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** A path the SDK's encoding leaves as it is: most service paths, checked once instead of per segment. */
const PLAIN_PATH = /^[A-Za-z0-9\-_.~/]*$/;
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
// Runs of upper-case escapes of non-ASCII bytes: WHATWG URL (axios) writes these for raw unicode in the
// SDK's endpoint, which the SDK signed encoded once. Captured so split() keeps them at odd indexes.
const TRANSPORT_UTF8_ESCAPES = /((?:%[89A-F][0-9A-F])+)/;
// SDK quirk: legacy url.parse() escapes these in the path the SDK signs (then encodes again: ' → %2527),
// while WHATWG URL sends them literally.
const LEGACY_AUTO_ESCAPED = /[{}|^`<>"']/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export type TSdkAuthorization = { accessKey: string; signedHeaders: string[]; signature: string };
export type TSdkVerifyResult = { ok: true } | { ok: false; reason: string; expired?: boolean };

/** Parses an `Authorization: SDK-HMAC-SHA256 …` value; undefined when the header is some other scheme. */
export function parseSdkAuthorization(value: string | undefined): TSdkAuthorization | { problem: string } | undefined {
  const match = /^(\S+)\s+([\s\S]*)$/.exec(value?.trim() ?? '');
  if (!match || !match[1].startsWith('SDK-')) return undefined;
  if (match[1] !== SDK_ALGORITHM) return { problem: `${VERIFY_FAIL}: unsupported algorithm, expected ${SDK_ALGORITHM}` };
  const fields = new Map<string, string>();
  for (const part of match[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ['Access', 'SignedHeaders', 'Signature']) {
    if (!fields.get(name)) return { problem: `${VERIFY_FAIL}: Authorization has no ${name}` };
  }
  const signedHeaders = fields.get('SignedHeaders')!.split(';').map((h) => h.trim().toLowerCase());
  if (signedHeaders.includes('')) return { problem: `${VERIFY_FAIL}: SignedHeaders has an empty name` };
  if (!signedHeaders.includes(DATE_HEADER)) return { problem: `${VERIFY_FAIL}: X-Sdk-Date must be a signed header` };
  return { accessKey: fields.get('Access')!, signedHeaders, signature: fields.get('Signature')! };
}

/** What the payload hash will be: the x-sdk-content-sha256 header value when present, else 'body' (the caller must hash the raw body). */
export function payloadHashSource(headers: IncomingHttpHeaders): { hash: string } | 'body' {
  const hash = headerValue(headers, CONTENT_SHA256_HEADER);
  return hash ? { hash } : 'body';
}

/** Lower-case hex SHA-256 (the one-shot `crypto.hash`, several times cheaper than a Hash object for short input). */
export function sha256Hex(data: Buffer | string): string {
  return crypto.hash('sha256', data, 'hex');
}

/** The canonical request for what the gateway received; rawTarget is the request-target exactly as received (path + optional ?query). */
export function canonicalRequest(method: string, rawTarget: string, headers: IncomingHttpHeaders, signedHeaders: string[], payloadHash: string): string {
  const target = rawTarget.replace(ABSOLUTE_FORM, '');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headerValue(headers, name)}\n`).join('');
  return [method, canonicalUri(path), canonicalQuery(q < 0 ? '' : target.slice(q + 1)), canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

/** Hex HMAC-SHA256(secret, string to sign) for a canonical request. */
export function signString(secret: string, sdkDate: string, canonical: string): string {
  return createHmac('sha256', secret).update(`${SDK_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`).digest('hex');
}

/** Full check; `secret` is the SK/AppSecret of auth.accessKey. */
export function verifySdkSignature(input: { method: string; rawTarget: string; headers: IncomingHttpHeaders; payloadHash: string; auth: TSdkAuthorization; secret: string; nowMs: number }): TSdkVerifyResult {
  const { auth, headers } = input;
  if (!auth.signedHeaders.includes(DATE_HEADER)) return { ok: false, reason: `${VERIFY_FAIL}: X-Sdk-Date must be a signed header` };
  const sdkDate = headerValue(headers, DATE_HEADER);
  if (!sdkDate) return { ok: false, reason: `${VERIFY_FAIL}: X-Sdk-Date header is missing` };
  const dateMs = parseSdkDate(sdkDate);
  if (dateMs === undefined) return { ok: false, reason: `${VERIFY_FAIL}: X-Sdk-Date must be YYYYMMDDTHHMMSSZ` };
  if (Math.abs(input.nowMs - dateMs) > MAX_CLOCK_SKEW_MS) {
    const now = formatSdkDate(new Date(input.nowMs));
    return { ok: false, expired: true, reason: `signature expired, signature time:${sdkDate},server time:${now}` }; // API Gateway's own wording
  }
  const missing = auth.signedHeaders.find((name) => headers[name] === undefined);
  if (missing) return { ok: false, reason: `${VERIFY_FAIL}: signed header ${missing} is missing` };
  const canonical = canonicalRequest(input.method, input.rawTarget, headers, auth.signedHeaders, input.payloadHash);
  const expected = Buffer.from(signString(input.secret, sdkDate, canonical));
  const given = Buffer.from(auth.signature.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: VERIFY_FAIL };
}

/** Client side (used by Anvil's own tests, docs examples and the bench): signs a request the way the SDK does. */
export function signRequest(input: { method: string; url: string; headers: Record<string, string>; body?: Buffer | string; ak: string; sk: string; date?: Date; unsignedPayload?: boolean }): Record<string, string> {
  const url = new URL(input.url);
  const sdkDate = formatSdkDate(input.date ?? new Date());
  const replaced = new Set(['authorization', DATE_HEADER, ...(input.unsignedPayload ? [CONTENT_SHA256_HEADER] : [])]);
  const out = Object.fromEntries(Object.entries(input.headers).filter(([name]) => !replaced.has(name.toLowerCase())));
  if (!Object.keys(out).some((name) => name.toLowerCase() === 'host')) out.Host = url.host;
  if (input.unsignedPayload) out['X-Sdk-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  out['X-Sdk-Date'] = sdkDate;
  const lower: IncomingHttpHeaders = Object.fromEntries(Object.entries(out).map(([name, value]) => [name.toLowerCase(), value]));
  // The SDK signs every header it is given; sorted by code unit like its lodash sortBy.
  const signedHeaders = Object.keys(lower).sort();
  const payload = payloadHashSource(lower);
  const payloadHash = payload === 'body' ? sha256Hex(input.body ?? '') : payload.hash;
  const canonical = canonicalRequest(input.method.toUpperCase(), url.pathname + url.search, lower, signedHeaders, payloadHash);
  out.Authorization = `${SDK_ALGORITHM} Access=${input.ak}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signString(input.sk, sdkDate, canonical)}`;
  return out;
}

/** Each segment of the received path, encoded as the SDK encoded its copy of the same path. */
function canonicalUri(path: string): string {
  // SDK quirk: it encodes the path as given without decoding it first, so an escape such as %20 or %2F
  // is signed double-encoded (%2520, %252F); encoding what we receive reproduces that. Huawei's Go
  // signer decodes first instead; the Node SDK is the client we must accept.
  const uri = PLAIN_PATH.test(path) ? path : path.split('/').map(canonicalSegment).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function canonicalSegment(segment: string): string {
  // Odd pieces are transport escapes of UTF-8 (kept: the SDK encoded that text once); the rest is encoded.
  // Ambiguity: a caller who pre-encodes unicode in the SDK endpoint is signed double-encoded and fails here.
  return segment
    .split(TRANSPORT_UTF8_ESCAPES)
    .map((piece, i) => (i % 2 === 1 && isUtf8Escapes(piece) ? piece : uriEncode(piece.replace(LEGACY_AUTO_ESCAPED, percentEscape))))
    .join('');
}

/** The SDK signs its queryParams object: keys sorted, a repeated key's values sorted, both by code unit. */
function canonicalQuery(query: string): string {
  if (!query) return '';
  const params = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
    params.set(key, [...(params.get(key) ?? []), eq < 0 ? '' : decodeQueryPart(part.slice(eq + 1))]);
  }
  return [...params.keys()]
    .sort()
    .flatMap((key) => params.get(key)!.sort().map((value) => `${uriEncode(key)}=${uriEncode(value)}`))
    .join('&');
}

// The SDK transport (querystring.stringify) never sends a literal '+'; form-encoding clients (axios's
// default serializer, Python requests) mean a space by it, as do Huawei's Go signer and most backends.
function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function isUtf8Escapes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** RFC 3986 encoding keeping only A-Za-z0-9-_.~ (the SDK's urlEncode). */
function uriEncode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD')).replace(/[!'()*]/g, percentEscape);
}

function percentEscape(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseSdkDate(text: string): number | undefined {
  const m = SDK_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20191332 over into a real date; refuse anything that does not round-trip.
  const d = new Date(ms);
  const isExact = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return isExact ? ms : undefined;
}
