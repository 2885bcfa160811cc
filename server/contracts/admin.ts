/** Users and projects: shapes shared by tRPC, REST, the `anvil` command and the console's admin page. */
import { z } from 'zod';

export const ZProjectNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(64, 'At most 64 characters.')
  .regex(/^[a-z][a-z0-9_-]*$/, 'Start with a lowercase letter; then lowercase letters, digits, "-" and "_".');

export const ZUserNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(32, 'At most 32 characters.')
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'Start with a letter; then letters, digits, "-", "_" and ".".');

export const ZPasswordSchema = z.string().min(8, 'At least 8 characters.').max(128, 'At most 128 characters.');

export const ZCreateProjectSchema = z.object({ name: ZProjectNameSchema });

export const ZCreateUserSchema = z.object({
  name: ZUserNameSchema,
  password: ZPasswordSchema,
  isAdmin: z.boolean().default(false),
  projectIds: z.array(z.string().min(1)).min(1, 'Choose at least one project.'),
});

export const ZMembershipSchema = z.object({ userId: z.string().min(1), projectId: z.string().min(1) });
export const ZResetPasswordSchema = z.object({ userId: z.string().min(1), password: ZPasswordSchema });
export const ZUserIdSchema = z.object({ userId: z.string().min(1) });
export const ZSwitchProjectSchema = z.object({ projectId: z.string().min(1, 'Choose a project.') });

export type TCreateProject = z.input<typeof ZCreateProjectSchema>;
export type TCreateUser = z.input<typeof ZCreateUserSchema>;
export type TMembership = z.infer<typeof ZMembershipSchema>;
export type TProjectRef = { id: string; name: string };
export type TProject = TProjectRef & { createdAt: number; members: number };
export type TUser = { id: string; name: string; isAdmin: boolean; createdAt: number; projects: TProjectRef[] };
