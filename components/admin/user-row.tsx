'use client';
/** One user: their projects (each removable), adding to a project, password reset and deletion. */
import { useState } from 'react';
import type { TProject, TUser } from '@/server/contracts/admin';
import { useI18n } from '../i18n/i18n-provider';
import { ConfirmButton } from '../ui/confirm-button';

type TProps = {
  user: TUser;
  isSelf: boolean;
  projects: TProject[];
  onAdd: (projectId: string) => void;
  onRemove: (projectId: string) => void;
  onReset: () => void;
  onDelete: () => void;
};

export function UserRow({ user, isSelf, projects, onAdd, onRemove, onReset, onDelete }: TProps) {
  const { t } = useI18n();
  const [projectId, setProjectId] = useState('');
  const others = projects.filter((p) => !user.projects.some((m) => m.id === p.id));
  return (
    <tr data-user={user.name}>
      <td>
        {user.name}
        {isSelf && <span className="muted"> ({t('admin.you')})</span>}
      </td>
      <td>{user.isAdmin ? t('common.yes') : t('common.no')}</td>
      <td>
        <div className="input-row">
          {user.projects.map((p) => (
            <span key={p.id} className="chip" data-member={p.name}>
              {p.name}{' '}
              <ConfirmButton
                label="×"
                title={t('admin.removeFromProject', { user: user.name, project: p.name })}
                danger
                question={t('admin.removeConfirm', { user: user.name, project: p.name })}
                onConfirm={() => onRemove(p.id)}
              />
            </span>
          ))}
          {others.length > 0 && (
            <>
              <select aria-label={t('admin.addToProject')} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
                <option value="">{t('admin.chooseProject')}</option>
                {others.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              <button type="button" className="btn btn-small" disabled={!projectId} onClick={() => (onAdd(projectId), setProjectId(''))}>
                {t('admin.addToProject')}
              </button>
            </>
          )}
        </div>
      </td>
      <td className="ops">
        <button type="button" className="btn-link" onClick={onReset}>
          {t('admin.resetPassword')}
        </button>
        <ConfirmButton label={t('common.delete')} danger disabled={isSelf} question={t('admin.deleteConfirm', { user: user.name })} onConfirm={onDelete} />
      </td>
    </tr>
  );
}
