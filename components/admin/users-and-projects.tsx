'use client';
/** "Users and projects" (administrators): projects with their member counts, users with their projects. */
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { errorOf } from '../ui/error-text';
import { ProjectsPanel } from './projects-panel';
import { UsersPanel } from './users-panel';

export function UsersAndProjects() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const projects = useQuery(trpc.admin.projects.queryOptions());
  const forbidden = errorOf(projects.error);
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('admin.title')}</h1>
      </div>
      {forbidden ? (
        <p className="notice-bad" role="alert">
          {tServer(forbidden.message)}
        </p>
      ) : !projects.data ? (
        // Nothing to act on until the server said this user may administer.
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <ProjectsPanel projects={projects.data} />
          <UsersPanel projects={projects.data} />
        </>
      )}
    </div>
  );
}
