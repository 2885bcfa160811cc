import type { TLang } from '@/server/contracts/events';

/** Picks the initial language: the cookie, else the browser's Accept-Language. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | null): TLang {
  if (cookie === 'en' || cookie === 'zh') return cookie;
  return /^zh\b/i.test(acceptLanguage ?? '') ? 'zh' : 'en';
}
