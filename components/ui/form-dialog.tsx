'use client';
import type { ReactNode } from 'react';
import { DialogFooter } from './dialog-footer';

/**
 * A modal form: its title, the fields, the form-level error and Cancel/Confirm. `onSubmit` runs on
 * Confirm (the browser's own validation is off: forms check with their zod schema).
 */
export function FormDialog(props: {
  title: string;
  onSubmit: () => void;
  onCancel: () => void;
  formError?: string;
  isPending?: boolean;
  isWide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="dialog-backdrop">
      <form
        className={`dialog${props.isWide ? ' dialog-wide' : ''}`}
        role="dialog"
        aria-label={props.title}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <h3>{props.title}</h3>
        {props.children}
        <DialogFooter formError={props.formError} isPending={props.isPending} onCancel={props.onCancel} />
      </form>
    </div>
  );
}
