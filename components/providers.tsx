'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { TRPCClientError } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import type { AppRouter } from '@/server/contracts/app-router';
import type { TLang } from '@/server/contracts/events';
import { I18nProvider } from './i18n/i18n-provider';
import { SocketProvider } from './live/socket-provider';
import { TRPCProvider } from './trpc';

/** Refusals that a retry cannot change (signed out, forbidden, gone, invalid): shown at once, not retried. */
const isFinal = (e: unknown) =>
  e instanceof TRPCClientError && ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'].includes(String(e.data?.code));

export function Providers({ lang, children }: { lang: TLang; children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: (n, e) => !isFinal(e) && n < 2 },
        },
      }),
  );
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc' })] }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <I18nProvider initialLang={lang}>
          <SocketProvider>{children}</SocketProvider>
        </I18nProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
