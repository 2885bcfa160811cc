'use client';
/** Object-storage browser: buckets, folders, uploads (files, folder, .zip extracted), download, delete. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { errorOf } from '../ui/error-text';
import { formatBytes, formatTime } from '../ui/format';
import { NameDialog } from './name-dialog';
import { uploadFiles } from './upload-files';
import { TableHead } from '../ui/table-head';

export function ObsBrowser() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [bucket, setBucket] = useState<string>();
  const [prefix, setPrefix] = useState('');
  const [dialog, setDialog] = useState<'bucket' | 'folder'>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();

  const buckets = useQuery(trpc.obs.buckets.queryOptions());
  const entries = useQuery({ ...trpc.obs.list.queryOptions({ bucket: bucket ?? '', prefix }), enabled: !!bucket });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.obs.pathKey() });

  const createBucket = useMutation(trpc.obs.createBucket.mutationOptions({ onSuccess: ({ name }) => (refresh(), setDialog(undefined), open(name, '')) }));
  const createFolder = useMutation(trpc.obs.createFolder.mutationOptions({ onSuccess: () => (refresh(), setDialog(undefined)) }));
  const remove = useMutation(trpc.obs.delete.mutationOptions({ onSuccess: refresh, onError: (e) => setNotice({ ok: false, text: e.message }) }));
  const upload = useMutation({
    mutationFn: ({ files, zip }: { files: File[]; zip: boolean }) => uploadFiles(bucket!, prefix, files, zip),
    onSuccess: (count) => (setNotice({ ok: true, text: t('obs.uploaded', { count }) }), refresh()),
    onError: (e) => setNotice({ ok: false, text: e.message }),
  });

  function open(b: string, p: string) {
    setBucket(b);
    setPrefix(p);
    setNotice(undefined);
  }
  const pick = (zip: boolean) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (files.length) upload.mutate({ files, zip });
  };
  const crumbs = prefix.split('/').filter(Boolean);

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('obs.title')}</h1>
      </div>
      <div className="obs-layout">
        <section className="panel obs-buckets">
          <div className="panel-head">
            <h2>{t('obs.buckets')}</h2>
            <button type="button" className="btn btn-small btn-primary" onClick={() => setDialog('bucket')}>
              {t('obs.createBucket')}
            </button>
          </div>
          {buckets.data?.length === 0 && <p className="muted">{t('obs.noBuckets')}</p>}
          <ul className="bucket-list">
            {buckets.data?.map((b) => (
              <li key={b.name}>
                <button type="button" className={`bucket${b.name === bucket ? ' active' : ''}`} onClick={() => open(b.name, '')}>
                  🪣 {b.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="panel obs-files">
          {!bucket ? (
            <p className="muted">{t('obs.chooseBucket')}</p>
          ) : (
            <>
              <nav className="breadcrumb" aria-label={t('obs.path')}>
                <button type="button" className="btn-link" onClick={() => open(bucket, '')}>
                  {bucket}
                </button>
                {crumbs.map((c, i) => (
                  <span key={i}>
                    {' / '}
                    <button type="button" className="btn-link" onClick={() => open(bucket, `${crumbs.slice(0, i + 1).join('/')}/`)}>
                      {c}
                    </button>
                  </span>
                ))}
              </nav>
              <div className="toolbar">
                <button type="button" className="btn" onClick={() => setDialog('folder')}>
                  {t('obs.createFolder')}
                </button>
                <label className="btn">
                  {t('obs.uploadFiles')}
                  <input type="file" multiple hidden data-testid="upload-files" onChange={pick(false)} />
                </label>
                <label className="btn">
                  {t('obs.uploadFolder')}
                  <input type="file" hidden data-testid="upload-folder" {...{ webkitdirectory: '', directory: '' }} onChange={pick(false)} />
                </label>
                <label className="btn">
                  {t('obs.uploadZip')}
                  <input type="file" accept=".zip" hidden data-testid="upload-zip" onChange={pick(true)} />
                </label>
                {upload.isPending && <span className="muted">{t('obs.uploading')}</span>}
                {notice && <span className={notice.ok ? 'notice-ok' : 'notice-bad'} role="status">{tServer(notice.text)}</span>}
              </div>
              <table className="table">
                <TableHead labels={[t('common.name'), t('common.size'), t('obs.modified'), t('common.operation')]} />
                <tbody>
                  {entries.data?.map((e) => (
                    <tr key={e.key}>
                      <td>
                        {e.isFolder ? (
                          <button type="button" className="btn-link" onClick={() => open(bucket, e.key)}>
                            📁 {e.name}
                          </button>
                        ) : (
                          <span>📄 {e.name}</span>
                        )}
                      </td>
                      <td>{e.isFolder ? t('obs.folder') : formatBytes(e.size)}</td>
                      <td>{formatTime(e.modifiedAt)}</td>
                      <td className="ops">
                        {!e.isFolder && (
                          <a className="btn-link" href={`/api/obs/download?bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(e.key)}`}>
                            {t('obs.download')}
                          </a>
                        )}
                        <ConfirmButton label={t('common.delete')} danger question={t('common.deleteConfirm', { name: e.name })} onConfirm={() => remove.mutate({ bucket, key: e.key })} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {entries.data?.length === 0 && <p className="muted">{t('obs.emptyFolder')}</p>}
            </>
          )}
        </section>
      </div>
      {dialog === 'bucket' && (
        <NameDialog
          title={t('obs.createBucket')}
          label={t('obs.bucketName')}
          error={errorOf(createBucket.error)?.message}
          onCancel={() => (setDialog(undefined), createBucket.reset())}
          onSubmit={(name) => createBucket.mutate({ name })}
        />
      )}
      {dialog === 'folder' && bucket && (
        <NameDialog
          title={t('obs.createFolder')}
          label={t('obs.folderName')}
          error={errorOf(createFolder.error)?.message}
          onCancel={() => (setDialog(undefined), createFolder.reset())}
          onSubmit={(name) => createFolder.mutate({ bucket, prefix, name })}
        />
      )}
    </div>
  );
}
