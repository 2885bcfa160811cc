'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc';

/** A change to pools or nodes changes the list and what each pool's flavors can hold: refetch both. */
export function usePoolsRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.services.flavors.pathKey() })]);
}
