'use client';
/** Set what the scheduler may hand out on a node, or clear it (both empty) to use the engine's capacity. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ZAllocatableSchema, type TNodeView } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { DialogFooter } from '../ui/dialog-footer';
import { AllocatableFields, allocatableOf } from './allocatable-fields';
import { useFieldErrors } from '../ui/use-field-errors';

// Validated under its field name, so messages land where the server's would (`allocatable.cpus`).
const ZFormSchema = z.object({ allocatable: ZAllocatableSchema.nullable() });

export function AllocatableDialog({ node, onDone, onCancel }: { node: TNodeView; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [value, setValue] = useState({ cpus: String(node.total.cpus), memoryGiB: String(node.total.memoryGiB) });
  const { errors, validate, fromServer, clear } = useFieldErrors({ byPath: true });
  const save = useMutation(trpc.pools.setAllocatable.mutationOptions({ onSuccess: onDone, onError: fromServer }));
  const title = `${t('pools.setAllocatable')}: ${node.name}`;
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-label={title}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const allocatable = allocatableOf(value) ?? null;
          if (validate(ZFormSchema, { allocatable })) save.mutate({ nodeId: node.id, allocatable });
        }}
      >
        <h3>{title}</h3>
        <AllocatableFields value={value} errors={errors} onChange={(v) => (setValue(v), clear('allocatable'))} />
        <DialogFooter formError={errors.form} isPending={save.isPending} onCancel={onCancel} />
      </form>
    </div>
  );
}
