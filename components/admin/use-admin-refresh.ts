'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc';

/** Users and projects change together (member counts, memberships), and the header's project switch may list a new project of one's own: refetch all three. */
export function useAdminRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.admin.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.auth.projects.queryKey() })]);
}
