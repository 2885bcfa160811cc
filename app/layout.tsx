import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { LANG_COOKIE } from '@/components/i18n/lang-cookie';
import { pickLang } from '@/components/i18n/pick-lang';
import { Providers } from '@/components/providers';
import './globals.css';

export const metadata: Metadata = { title: 'Anvil', description: 'AI application console' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const lang = pickLang((await cookies()).get(LANG_COOKIE)?.value, (await headers()).get('accept-language'));
  return (
    <html lang={lang === 'zh' ? 'zh-CN' : 'en'}>
      <body>
        <Providers lang={lang}>{children}</Providers>
      </body>
    </html>
  );
}
