'use client';
/** What both "Create AI application" forms show: the basics (name, version, description) and the meta model source choice. */
import Link from 'next/link';
import { useI18n } from '../i18n/i18n-provider';
import { Field } from '../ui/field';

type TBasics = { name: string; version: string; description: string };

export function AppBasicsSection({ form, errors, onChange, isNameFixed = false }: {
  form: TBasics;
  errors: Partial<Record<keyof TBasics, string>>;
  onChange: (key: keyof TBasics, value: string) => void;
  /** A new version keeps its application's name. */
  isNameFixed?: boolean;
}) {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h2>{t('appForm.basic')}</h2>
      <Field label={t('appForm.name')} hint={t('appForm.nameHint')} error={errors.name} required htmlFor="app-name">
        <input id="app-name" value={form.name} maxLength={64} readOnly={isNameFixed} onChange={(e) => onChange('name', e.target.value)} />
      </Field>
      <Field label={t('appForm.version')} error={errors.version} required htmlFor="app-version">
        <input id="app-version" value={form.version} onChange={(e) => onChange('version', e.target.value)} />
      </Field>
      <Field label={t('appForm.description')} error={errors.description} htmlFor="app-description">
        <textarea id="app-description" rows={2} value={form.description} onChange={(e) => onChange('description', e.target.value)} />
      </Field>
    </section>
  );
}

/** Object storage or a container image; the other source is a link to its form (none when creating a new version). */
export function AppSourceChoice({ current, canSwitch = true }: { current: 'obs' | 'job' | 'image'; canSwitch?: boolean }) {
  const { t } = useI18n();
  const sources = [
    { id: 'obs', label: t('apps.source.obs'), href: '/ai-apps/create' },
    { id: 'job', label: t('apps.source.job'), href: '/ai-apps/create?source=job' },
    { id: 'image', label: t('apps.source.image'), href: '/ai-apps/create-from-image' },
  ] as const;
  return (
    <Field label={t('appForm.source')}>
      <div className="checks">
        {sources.map((s) =>
          s.id === current ? (
            <span key={s.id} className="chip chip-active" aria-current="page">
              {s.label}
            </span>
          ) : (
            canSwitch && (
              <Link key={s.id} className="chip" href={s.href}>
                {s.label}
              </Link>
            )
          ),
        )}
      </div>
    </Field>
  );
}
