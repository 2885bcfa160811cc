'use client';
import type { TRuntimeInfo } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';

/** What really runs the model: the runtime config.json asks for, and the host's interpreter that runs it. */
export function RuntimeLine({ info }: { info: TRuntimeInfo }) {
  const { t } = useI18n();
  return <>{t('appDetail.runsOn', { requested: info.requested || '-', actual: info.actual })}</>;
}
