'use client';
import { useI18n } from '../i18n/i18n-provider';

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <select aria-label={t('header.language')} className="lang-switch" value={lang} onChange={(e) => setLang(e.target.value as 'en' | 'zh')}>
      <option value="en">English</option>
      <option value="zh">简体中文</option>
    </select>
  );
}
