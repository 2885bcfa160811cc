/** Object storage over HTTP: `/obs/{bucket}/{key}` for API clients, `/api/obs/*` uploads and downloads for the console. */
import type http from 'node:http';
import path from 'node:path';
import busboy from 'busboy';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError, invalid } from '../core/errors';
import { checkKey } from '../core/storage/obs-uri';
import { sendJson } from './http-io';

const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

async function readAll(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new CoreError('PAYLOAD_TOO_LARGE', 'The archive is too large.');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** PUT /obs/{bucket} creates a bucket; PUT /obs/{bucket}/{key} stores the body (`?extract=zip` unpacks it under key/). */
export async function handleObjectApi(core: TAnvilCore, projectId: string, req: http.IncomingMessage, res: http.ServerResponse, bucket: string, key: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const store = core.buckets.forProject(projectId);
  switch (req.method) {
    case 'PUT':
      if (!key) {
        store.createBucket(bucket);
        return sendJson(res, 201, { bucket });
      }
      if (url.searchParams.get('extract') === 'zip') {
        const prefix = key.endsWith('/') ? key : `${key}/`;
        const files = store.extractZip(bucket, checkKey(prefix), await readAll(req, 512 * 1024 ** 2));
        return sendJson(res, 201, { location: `obs://${bucket}/${prefix}`, files });
      }
      await store.putObject(bucket, checkKey(key), req);
      return sendJson(res, 201, { location: `obs://${bucket}/${key}` });
    case 'GET':
      if (!key || key.endsWith('/')) return sendJson(res, 200, { location: `obs://${bucket}/${key}`, entries: store.list(bucket, key) });
      return sendObject(core, projectId, res, bucket, key);
    case 'DELETE':
      store.delete(bucket, key);
      return void res.writeHead(204).end();
    default:
      throw new CoreError('INVALID_ARGUMENT', `${req.method} is not supported on /obs.`);
  }
}

export function sendObject(core: TAnvilCore, projectId: string, res: http.ServerResponse, bucket: string, key: string): void {
  const { stream, size } = core.buckets.forProject(projectId).openObject(bucket, key);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': size,
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(path.posix.basename(key))}`,
  });
  stream.pipe(res);
}

/**
 * POST /api/obs/upload (console): multipart with fields `bucket`, `prefix`, then files. A file's name
 * may carry a relative path (folder upload); a `.zip` with field `extract=true` is unpacked.
 */
export function handleConsoleUpload(core: TAnvilCore, projectId: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const store = core.buckets.forProject(projectId);
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const writes: Promise<unknown>[] = [];
    let stored = 0;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_UPLOAD_BYTES, files: 10_000 }, preservePath: true });
    } catch {
      return reject(invalid('file', 'Send the files as multipart/form-data.'));
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, file, info) => {
      // busboy truncates a file past the limit silently; fail the write instead of storing a partial file.
      file.once('limit', () => file.destroy(new CoreError('PAYLOAD_TOO_LARGE', `${info.filename} is larger than 5 GB.`)));
      const write = (async () => {
        const bucket = fields.bucket ?? '';
        const prefix = fields.prefix ?? '';
        const relative = (info.filename ?? '').replace(/\\/g, '/').replace(/^\/+/, '');
        if (!relative) throw invalid('file', 'A file has no name.');
        if (fields.extract === 'true' && relative.toLowerCase().endsWith('.zip')) {
          const chunks: Buffer[] = [];
          for await (const c of file) chunks.push(c as Buffer);
          const folder = `${prefix}${path.posix.basename(relative, '.zip')}/`;
          stored += store.extractZip(bucket, checkKey(folder, 'file'), Buffer.concat(chunks));
          return;
        }
        await store.putObject(bucket, checkKey(prefix + relative, 'file'), file);
        stored++;
      })();
      writes.push(write);
      write.catch(() => file.resume());
    });
    parser.on('close', () => {
      Promise.all(writes)
        .then(() => {
          if (stored === 0) throw invalid('file', 'Choose at least one file.');
          sendJson(res, 201, { stored });
          resolve();
        })
        .catch(reject);
    });
    parser.on('error', reject);
    req.pipe(parser);
  });
}
