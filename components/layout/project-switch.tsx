'use client';
/** The current project in the header; a member of several projects switches here (a new session for the chosen one). */
import { useMutation, useQuery } from '@tanstack/react-query';
import { usePathname } from 'next/navigation';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';

export function ProjectSwitch({ current }: { current?: { projectId: string; projectName: string } }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const pathname = usePathname();
  const projects = useQuery({ ...trpc.auth.projects.queryOptions(), enabled: !!current });
  // Everything on screen belongs to the old project: reload the section's list page (a detail page's resource would not exist).
  const switchProject = useMutation(trpc.auth.switchProject.mutationOptions({ onSuccess: () => window.location.assign(`/${pathname.split('/')[1] ?? ''}`) }));
  const label = (
    <span className="muted">
      {t('header.project')}:{' '}
    </span>
  );
  if (!current || (projects.data?.length ?? 0) < 2) {
    return (
      <span>
        {label}
        <strong data-testid="current-project">{current?.projectName ?? '…'}</strong>
      </span>
    );
  }
  return (
    <span>
      {label}
      <select
        aria-label={t('header.switchProject')}
        data-testid="current-project"
        value={current.projectId}
        disabled={switchProject.isPending}
        onChange={(e) => switchProject.mutate({ projectId: e.target.value })}
      >
        {projects.data?.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </span>
  );
}
