'use client';
/**
 * The image picker of the image application form (guide table 2-10, "image path"): a repository of
 * the project's image repository, then one of its tags; without images, a link to the repository page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';

export type TImageChoice = { repository: string; tag: string };

export function ImagePicker({ value, onChange }: { value: TImageChoice; onChange: (choice: TImageChoice) => void }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const repositories = useQuery(trpc.images.repositories.queryOptions());
  const repository = repositories.data?.find((r) => r.name === value.repository);
  const refresh = (
    <button type="button" className="btn btn-small" onClick={() => queryClient.invalidateQueries({ queryKey: trpc.images.repositories.queryKey() })}>
      {t('common.refresh')}
    </button>
  );

  if (repositories.error) {
    return (
      <div className="input-row">
        <span className="notice-bad" role="alert">
          {tServer(repositories.error.message)}
        </span>
        <Link href="/images">{t('imageForm.openRepository')}</Link>
      </div>
    );
  }
  if (!repositories.data) return <span className="muted">{t('common.loading')}</span>;
  if (repositories.data.length === 0) {
    return (
      <div className="input-row" data-testid="image-picker-empty">
        <span className="muted">{t('imageForm.noImages')}</span>
        <Link href="/images">{t('imageForm.openRepository')}</Link>
        {refresh}
      </div>
    );
  }
  return (
    <div className="input-row">
      <select
        id="image-repository"
        aria-label={t('imageForm.repository')}
        value={value.repository}
        onChange={(e) => {
          const next = repositories.data.find((r) => r.name === e.target.value);
          onChange({ repository: e.target.value, tag: next?.tags[0]?.tag ?? '' });
        }}
      >
        <option value="">{t('imageForm.chooseRepository')}</option>
        {repositories.data.map((r) => (
          <option key={r.name} value={r.name}>
            {r.name}
          </option>
        ))}
      </select>
      <select id="image-tag" aria-label={t('imageForm.tag')} value={value.tag} disabled={!repository} onChange={(e) => onChange({ ...value, tag: e.target.value })}>
        {!repository && <option value="">{t('imageForm.tag')}</option>}
        {repository?.tags.map((tag) => (
          <option key={tag.tag} value={tag.tag}>
            {tag.tag}
          </option>
        ))}
      </select>
      {refresh}
    </div>
  );
}
