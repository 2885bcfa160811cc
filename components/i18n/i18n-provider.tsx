'use client';
/** Language context: English or Simplified Chinese, chosen in the header and remembered in a cookie. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { TLang } from '@/server/contracts/events';
import { en, type TMessageKey } from './messages-en';
import { zh } from './messages-zh';
import { serverMessageZh } from './server-messages-zh';

import { LANG_COOKIE } from './lang-cookie';
const CATALOGS = { en, zh } as const;

type TI18n = {
  lang: TLang;
  setLang: (lang: TLang) => void;
  t: (key: TMessageKey, vars?: Record<string, string | number>) => string;
  /** A message from the server or a shared schema, in the console's language where it is known. */
  tServer: (message: string) => string;
};

const I18nContext = createContext<TI18n | null>(null);

export function I18nProvider({ initialLang, children }: { initialLang: TLang; children: ReactNode }) {
  const [lang, setLangState] = useState<TLang>(initialLang);
  const setLang = useCallback((next: TLang) => {
    document.cookie = `${LANG_COOKIE}=${next}; Path=/; Max-Age=31536000; SameSite=Lax`;
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLangState(next);
  }, []);
  const value = useMemo<TI18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => {
        const text: string = CATALOGS[lang][key] ?? key;
        return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
      },
      tServer: (message) => (lang === 'zh' ? serverMessageZh(message) : message),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): TI18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

