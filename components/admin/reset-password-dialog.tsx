'use client';
/** Set a new password for a user; the server revokes their sessions and tokens. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZResetPasswordSchema, type TUser } from '@/server/contracts/admin';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { DialogFooter } from '../ui/dialog-footer';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';

export function ResetPasswordDialog({ user, onDone, onCancel }: { user: TUser; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [password, setPassword] = useState('');
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const reset = useMutation(trpc.admin.resetPassword.mutationOptions({ onSuccess: onDone, onError: fromServer }));
  const title = `${t('admin.resetPassword')}: ${user.name}`;
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-label={title}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const input = { userId: user.id, password };
          if (validate(ZResetPasswordSchema, input)) reset.mutate(input);
        }}
      >
        <h3>{title}</h3>
        <Field label={t('admin.newPassword')} hint={t('admin.passwordHint')} error={errors.password} required htmlFor="reset-password">
          <input id="reset-password" type="password" autoFocus autoComplete="new-password" value={password} onChange={(e) => (setPassword(e.target.value), clear('password'))} />
        </Field>
        <DialogFooter formError={errors.form} isPending={reset.isPending} onCancel={onCancel} />
      </form>
    </div>
  );
}
