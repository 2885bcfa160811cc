import { TRPCClientError } from '@trpc/client';

/** The field and message of a failed tRPC call (the server's error formatter puts `field` in data). */
export function errorOf(e: unknown): { field?: string; message: string } | undefined {
  if (!e) return undefined;
  if (e instanceof TRPCClientError) {
    const data = e.data as { field?: string } | undefined;
    return { field: data?.field || undefined, message: e.message };
  }
  return { message: e instanceof Error ? e.message : String(e) };
}
