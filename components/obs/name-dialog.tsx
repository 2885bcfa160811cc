'use client';
import { useState } from 'react';
import { DialogFooter } from '../ui/dialog-footer';
import { Field } from '../ui/field';

/** A one-field dialog (bucket or folder name) that shows the server's field error. */
export function NameDialog({ title, label, error, onCancel, onSubmit }: { title: string; label: string; error?: string; onCancel: () => void; onSubmit: (name: string) => void }) {
  const [name, setName] = useState('');
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(name);
        }}
      >
        <h3>{title}</h3>
        <Field label={label} error={error} htmlFor="name-dialog-input" required>
          <input id="name-dialog-input" autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <DialogFooter onCancel={onCancel} />
      </form>
    </div>
  );
}
