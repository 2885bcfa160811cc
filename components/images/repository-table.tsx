'use client';
/** The project's repositories, one row per tag: size, short digest, push time, delete (with the tags that go with it). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TImageRepository, TImageTag } from '@/server/contracts/images';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { CopyButton } from '../ui/copy-button';
import { formatBytes, formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';

/** `sha256:0123456789ab…` → `0123456789ab`. */
const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function RepositoryTable({ address }: { address: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const repositories = useQuery(trpc.images.repositories.queryOptions());
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();
  const remove = useMutation(
    trpc.images.deleteTag.mutationOptions({
      onSuccess: ({ removedTags }) => {
        setNotice({ ok: true, text: t('images.deleted', { tags: removedTags.join(', ') }) });
        return queryClient.invalidateQueries({ queryKey: trpc.images.repositories.queryKey() });
      },
      onError: (e) => setNotice({ ok: false, text: e.message }),
    }),
  );

  const question = (repo: TImageRepository, tag: TImageTag) => {
    const image = `${repo.name}:${tag.tag}`;
    const others = repo.tags.filter((o) => o.digest === tag.digest && o.tag !== tag.tag).map((o) => o.tag);
    return others.length ? t('images.deleteTagShared', { image, others: others.join(', ') }) : t('images.deleteTagConfirm', { image });
  };

  return (
    <section className="panel">
      <div className="panel-head">
        <h2>{t('images.repositories')}</h2>
        {notice && <span className={notice.ok ? 'notice-ok' : 'notice-bad'} role="status">{tServer(notice.text)}</span>}
      </div>
      {repositories.error && <p className="notice-bad" role="alert">{tServer(repositories.error.message)}</p>}
      {repositories.data?.length === 0 && (
        <p className="muted" data-testid="images-empty">
          {t('images.empty', { example: `${address}/${me.data?.projectName ?? '<project>'}/<repository>:<tag>` })}
        </p>
      )}
      {!!repositories.data?.length && (
        <table className="table" data-testid="images-table">
          <TableHead labels={[t('common.name'), t('images.tag'), t('common.size'), t('images.digest'), t('images.pushed'), t('images.pull'), t('common.operation')]} />
          <tbody>
            {repositories.data.flatMap((repo) =>
              repo.tags.map((tag, i) => (
                <tr key={`${repo.name}:${tag.tag}`} data-image={`${repo.name}:${tag.tag}`}>
                  <td className="mono">{i === 0 ? repo.name : ''}</td>
                  <td className="mono">{tag.tag}</td>
                  <td className="nowrap">{formatBytes(tag.sizeBytes)}</td>
                  <td className="mono" title={tag.digest}>
                    {shortDigest(tag.digest)}
                  </td>
                  <td className="nowrap">{formatTime(tag.pushedAt ?? tag.createdAt)}</td>
                  <td>
                    <CopyButton text={`${repo.path}:${tag.tag}`} />
                  </td>
                  <td>
                    <ConfirmButton label={t('common.delete')} danger question={question(repo, tag)} onConfirm={() => remove.mutate({ repository: repo.name, tag: tag.tag })} />
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
