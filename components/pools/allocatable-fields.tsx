'use client';
/** The two allocatable inputs (vCPUs, GiB) shared by the add-node and set-allocatable dialogs. */
import { useI18n } from '../i18n/i18n-provider';
import { Field } from '../ui/field';

export type TAllocatableText = { cpus: string; memoryGiB: string };

/** Both empty: none (the engine's capacity); otherwise numbers for the schema to judge (empty reads as 0). */
export function allocatableOf(a: TAllocatableText): { cpus: number; memoryGiB: number } | undefined {
  if (!a.cpus.trim() && !a.memoryGiB.trim()) return undefined;
  return { cpus: Number(a.cpus || 0), memoryGiB: Number(a.memoryGiB || 0) };
}

export function AllocatableFields({ value, errors, onChange }: { value: TAllocatableText; errors: Record<string, string>; onChange: (v: TAllocatableText) => void }) {
  const { t } = useI18n();
  return (
    <>
      <Field label={t('pools.cpus')} hint={t('pools.allocatableHint')} error={errors['allocatable.cpus'] ?? errors.allocatable} htmlFor="alloc-cpus">
        <input id="alloc-cpus" className="input-narrow" type="number" min={1} value={value.cpus} onChange={(e) => onChange({ ...value, cpus: e.target.value })} />
      </Field>
      <Field label={t('pools.memoryGiB')} error={errors['allocatable.memoryGiB']} htmlFor="alloc-memory">
        <input id="alloc-memory" className="input-narrow" type="number" min={1} value={value.memoryGiB} onChange={(e) => onChange({ ...value, memoryGiB: e.target.value })} />
      </Field>
    </>
  );
}
