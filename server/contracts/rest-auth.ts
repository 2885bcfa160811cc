/** `POST /v3/auth/tokens`: the IAM password-authentication request (Keystone v3 shape). */
import { z } from 'zod';

export const ZRestTokenRequestSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((m) => m.includes('password'), 'identity.methods must include "password"'),
      password: z.object({
        user: z.object({ name: z.string().min(1), password: z.string().min(1), domain: z.object({ name: z.string().min(1) }) }),
      }),
    }),
    scope: z
      .object({ project: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(), domain: z.unknown().optional() })
      .optional(),
  }),
});
export type TRestTokenRequest = z.infer<typeof ZRestTokenRequestSchema>;
