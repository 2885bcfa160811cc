'use client';
/** The console frame: navigation, language switch, user menu; sends anonymous visitors to /login. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { useTRPC } from '../trpc';
import { LanguageSwitch } from './language-switch';
import { ProjectSwitch } from './project-switch';
import { NotificationBell } from '../alarms/notification-bell';

const NAV: { href: string; label: TMessageKey; group?: TMessageKey; isAdminOnly?: boolean }[] = [
  { href: '/', label: 'nav.overview' },
  { href: '/obs', label: 'nav.obs' },
  { href: '/images', label: 'nav.images' },
  { href: '/training-jobs', label: 'nav.training' },
  { href: '/ai-apps', label: 'nav.apps' },
  { href: '/services', label: 'nav.services', group: 'nav.deploy' },
  { href: '/alarms', label: 'nav.alarms' },
  { href: '/app-auth', label: 'nav.appAuth' },
  { href: '/pools', label: 'nav.pools' },
  { href: '/credentials', label: 'nav.credentials' },
  { href: '/admin', label: 'nav.admin', group: 'nav.admin', isAdminOnly: true },
];

export function ConsoleShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const isAnonymous = me.error instanceof TRPCClientError && me.error.data?.code === 'UNAUTHORIZED';
  useEffect(() => {
    if (isAnonymous) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [isAnonymous, pathname, router]);
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace('/login');
      },
    }),
  );

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark">▲</span> {t('app.name')}
          <div className="brand-sub">{t('app.tagline')}</div>
        </div>
        <nav>
          {NAV.filter((item) => !item.isAdminOnly || me.data?.isAdmin).map((item) => (
            <div key={item.href}>
              {item.group && <div className="nav-group">{t(item.group)}</div>}
              <Link href={item.href} className={`nav-link${(item.href === '/' ? pathname === '/' : pathname.startsWith(item.href)) ? ' active' : ''}${item.group ? ' nested' : ''}`}>
                {t(item.label)}
              </Link>
            </div>
          ))}
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <ProjectSwitch current={me.data} />
          <div className="topbar-right">
            {me.data && <NotificationBell />}
            <LanguageSwitch />
            <span className="user" data-testid="current-user">
              {me.data?.userName}
            </span>
            <button type="button" className="btn btn-small" onClick={() => logout.mutate()}>
              {t('header.logout')}
            </button>
          </div>
        </header>
        <main className="content">{me.data ? children : <p className="muted">{t('common.loading')}</p>}</main>
      </div>
    </div>
  );
}
