'use client';
/** A dialog to choose a directory in object storage (the model directory of a new AI application). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';

export function DirectoryPicker({ onChoose, onCancel }: { onChoose: (uri: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [bucket, setBucket] = useState<string>();
  const [prefix, setPrefix] = useState('');
  const buckets = useQuery(trpc.obs.buckets.queryOptions());
  const entries = useQuery({ ...trpc.obs.list.queryOptions({ bucket: bucket ?? '', prefix }), enabled: !!bucket });
  const crumbs = prefix.split('/').filter(Boolean);
  const uri = bucket ? `obs://${bucket}/${prefix}`.replace(/\/$/, '') : undefined;

  return (
    <div className="dialog-backdrop">
      <div className="dialog dialog-wide" role="dialog" aria-label={t('appForm.chooseDir')}>
        <h3>{t('appForm.chooseDir')}</h3>
        <nav className="breadcrumb">
          <button type="button" className="btn-link" onClick={() => (setBucket(undefined), setPrefix(''))}>
            {t('obs.buckets')}
          </button>
          {bucket && (
            <>
              {' / '}
              <button type="button" className="btn-link" onClick={() => setPrefix('')}>
                {bucket}
              </button>
            </>
          )}
          {crumbs.map((c, i) => (
            <span key={i}>
              {' / '}
              <button type="button" className="btn-link" onClick={() => setPrefix(`${crumbs.slice(0, i + 1).join('/')}/`)}>
                {c}
              </button>
            </span>
          ))}
        </nav>
        <ul className="picker-list">
          {!bucket &&
            buckets.data?.map((b) => (
              <li key={b.name}>
                <button type="button" className="btn-link" onClick={() => setBucket(b.name)}>
                  🪣 {b.name}
                </button>
              </li>
            ))}
          {bucket &&
            entries.data?.map((e) => (
              <li key={e.key}>
                {e.isFolder ? (
                  <button type="button" className="btn-link" onClick={() => setPrefix(e.key)}>
                    📁 {e.name}
                  </button>
                ) : (
                  <span className="muted">📄 {e.name}</span>
                )}
              </li>
            ))}
        </ul>
        <div className="dialog-actions">
          <span className="mono muted">{uri}</span>
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={!uri || !prefix} onClick={() => uri && onChoose(uri)}>
            {t('appForm.choose')}
          </button>
        </div>
      </div>
    </div>
  );
}
