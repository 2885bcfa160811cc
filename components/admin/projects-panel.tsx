'use client';
/** The project list and its create dialog. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZCreateProjectSchema, type TProject } from '@/server/contracts/admin';
import { useI18n } from '../i18n/i18n-provider';
import { NameDialog } from '../obs/name-dialog';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';
import { useFieldErrors } from '../ui/use-field-errors';
import { useAdminRefresh } from './use-admin-refresh';

export function ProjectsPanel({ projects }: { projects: TProject[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const refresh = useAdminRefresh();
  const [isCreating, setCreating] = useState(false);
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(
    trpc.admin.createProject.mutationOptions({
      onSuccess: () => (refresh(), setCreating(false)),
      onError: fromServer,
    }),
  );
  return (
    <section className="panel" aria-label={t('admin.projects')}>
      <div className="panel-head">
        <h2>{t('admin.projects')}</h2>
        <button type="button" className="btn btn-small btn-primary" onClick={() => (clear('name'), setCreating(true))}>
          {t('admin.createProject')}
        </button>
      </div>
      <table className="table" data-testid="projects-table">
        <TableHead labels={[t('common.name'), t('common.id'), t('admin.members'), t('common.created')]} />
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-project={p.name}>
              <td>{p.name}</td>
              <td className="mono">{p.id}</td>
              <td>{p.members}</td>
              <td className="nowrap">{formatTime(p.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {isCreating && (
        <NameDialog
          title={t('admin.createProject')}
          label={t('admin.projectName')}
          error={errors.name ?? errors.form}
          onCancel={() => setCreating(false)}
          onSubmit={(name) => validate(ZCreateProjectSchema, { name }) && create.mutate({ name })}
        />
      )}
    </section>
  );
}
