/** Object storage over HTTP: `/obs/{bucket}/{key}` for API clients, `/api/obs/*` uploads and downloads for the console. */
import type http from 'node:http';
import path from 'node:path';
import busboy from 'busboy';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError, invalid } from '../core/errors';
import { checkKey } from '../core/storage/obs-uri';
import { sendJson } from './http-io';

const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

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
        // Streamed to a staging file and extracted there within the core's caps (413), never buffered.
        const files = await store.extractZip(bucket, checkKey(prefix), req);
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
  // A read that fails after the headers went out cuts this response only.
  stream.once('error', () => res.destroy());
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
          const folder = `${prefix}${path.posix.basename(relative, '.zip')}/`;
          const files = await store.extractZip(bucket, checkKey(folder, 'file'), file);
          stored += files;
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
    // busboy's errors are about the request (a cut-off or malformed form), never about Anvil.
    parser.on('error', (e: Error) => reject(invalid('file', `The upload is not valid multipart/form-data: ${e.message}.`)));
    req.pipe(parser);
  });
}
