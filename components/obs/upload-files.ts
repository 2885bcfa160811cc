/** Sends files to the console upload endpoint; folder uploads keep each file's relative path. */
export async function uploadFiles(bucket: string, prefix: string, files: File[], extractZip: boolean): Promise<number> {
  const form = new FormData();
  form.append('bucket', bucket);
  form.append('prefix', prefix);
  form.append('extract', String(extractZip));
  for (const file of files) form.append('files', file, file.webkitRelativePath || file.name);
  const res = await fetch('/api/obs/upload', { method: 'POST', body: form, headers: { 'x-anvil-console': '1' } });
  const body = (await res.json()) as { stored?: number; error_msg?: string };
  if (!res.ok) throw new Error(body.error_msg ?? `Upload failed (${res.status})`);
  return body.stored ?? 0;
}
