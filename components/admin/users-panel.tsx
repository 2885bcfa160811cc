'use client';
/** The user list: memberships (add, remove), password reset, deletion; and the create dialog. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TProject, TUser } from '@/server/contracts/admin';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { TableHead } from '../ui/table-head';
import { CreateUserDialog } from './create-user-dialog';
import { ResetPasswordDialog } from './reset-password-dialog';
import { useAdminRefresh } from './use-admin-refresh';
import { UserRow } from './user-row';

export function UsersPanel({ projects }: { projects: TProject[] }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const refresh = useAdminRefresh();
  const users = useQuery(trpc.admin.users.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'reset'; user: TUser }>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();
  const onError = (e: { message: string }) => setNotice({ ok: false, text: e.message });
  const addMember = useMutation(trpc.admin.addMember.mutationOptions({ onSuccess: () => (refresh(), setNotice(undefined)), onError }));
  const removeMember = useMutation(trpc.admin.removeMember.mutationOptions({ onSuccess: () => (refresh(), setNotice(undefined)), onError }));
  const deleteUser = useMutation(trpc.admin.deleteUser.mutationOptions({ onSuccess: () => (refresh(), setNotice(undefined)), onError }));

  return (
    <section className="panel" aria-label={t('admin.users')}>
      <div className="panel-head">
        <h2>{t('admin.users')}</h2>
        <button type="button" className="btn btn-small btn-primary" onClick={() => setDialog({ kind: 'create' })}>
          {t('admin.createUser')}
        </button>
      </div>
      {notice && (
        <p className={notice.ok ? 'notice-ok' : 'notice-bad'} role="status">
          {tServer(notice.text)}
        </p>
      )}
      <table className="table" data-testid="users-table">
        <TableHead labels={[t('common.name'), t('admin.isAdmin'), t('admin.userProjects'), t('common.operation')]} />
        <tbody>
          {users.data?.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              isSelf={u.name === me.data?.userName}
              projects={projects}
              onAdd={(projectId) => addMember.mutate({ userId: u.id, projectId })}
              onRemove={(projectId) => removeMember.mutate({ userId: u.id, projectId })}
              onReset={() => setDialog({ kind: 'reset', user: u })}
              onDelete={() => deleteUser.mutate({ userId: u.id })}
            />
          ))}
        </tbody>
      </table>
      {dialog?.kind === 'create' && <CreateUserDialog projects={projects} onDone={() => (refresh(), setDialog(undefined))} onCancel={() => setDialog(undefined)} />}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog
          user={dialog.user}
          onDone={() => (setNotice({ ok: true, text: t('admin.passwordWasReset', { user: dialog.user.name }) }), setDialog(undefined))}
          onCancel={() => setDialog(undefined)}
        />
      )}
    </section>
  );
}
