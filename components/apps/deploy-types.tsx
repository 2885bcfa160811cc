'use client';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';

export function DeployTypes({ types }: { types: string[] }) {
  const { t } = useI18n();
  return <>{types.map((x) => t(`apps.deployType.${x}` as TMessageKey)).join(', ')}</>;
}
