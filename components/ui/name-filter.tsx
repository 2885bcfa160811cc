'use client';
import { useI18n } from '../i18n/i18n-provider';

/** Case-insensitive "name contains" test used by the list pages' filter box. */
export const matchesName = (name: string, filter: string) => name.toLowerCase().includes(filter.trim().toLowerCase());

/** The filter box above a list. */
export function NameFilter({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="toolbar">
      <input type="search" aria-label={t('common.filterByName')} placeholder={t('common.filterByName')} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
