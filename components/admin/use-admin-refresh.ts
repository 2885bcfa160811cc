'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc';

/** Users and projects change together (member counts, memberships): refetch both. */
export function useAdminRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.admin.pathKey() });
}
