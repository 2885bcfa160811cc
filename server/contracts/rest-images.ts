/** The REST spelling of the image repository (snake_case, SWR-style), built on the shapes of images.ts. */
import { z } from 'zod';
import { ZImageRepositoryNameSchema, ZImageTagSchema } from './images';

export const ZRestImageRepositoryParamSchema = z.object({
  project_id: z.string(),
  repository: ZImageRepositoryNameSchema.meta({ description: 'The repository inside the project, e.g. `team/app`; escape "/" as %2F.' }),
});

export const ZRestImageTagParamSchema = ZRestImageRepositoryParamSchema.extend({ tag: ZImageTagSchema });

export const ZRestImageTagSchema = z
  .object({
    tag: z.string(),
    digest: z.string().meta({ description: 'The manifest digest, sha256:….' }),
    size: z.number().meta({ description: 'Bytes: the sum of the compressed layers.' }),
    created_at: z.number().nullable().meta({ description: 'When the image was built (its config), epoch milliseconds.' }),
    pushed_at: z.number().nullable().meta({ description: 'When the tag was last pushed, epoch milliseconds; null with ANVIL_REGISTRY_URL.' }),
    image: z.string().meta({ description: 'What `docker pull` takes: address/project/repository:tag.' }),
  })
  .meta({ id: 'ImageTag' });

export const ZRestImageRepositorySchema = z
  .object({
    name: z.string().meta({ description: 'The repository inside the project.' }),
    path: z.string().meta({ description: 'address/project/repository.' }),
    tags: z.array(ZRestImageTagSchema),
  })
  .meta({ id: 'ImageRepository' });

export const ZRestImageRepositoryListSchema = z
  .object({
    address: z.string().meta({ description: 'host:port of the image repository (docker login, tag, push).' }),
    repositories: z.array(ZRestImageRepositorySchema),
  })
  .meta({ id: 'ImageRepositoryList' });

export const ZRestImageTagListSchema = z.object({ tags: z.array(ZRestImageTagSchema) }).meta({ id: 'ImageTagList' });

export const ZRestRegistryCredentialSchema = z
  .object({
    address: z.string(),
    username: z.string().meta({ description: 'The project name.' }),
    password: z.string(),
    created_at: z.number().meta({ description: 'When the password was made (first request or last reset), epoch milliseconds.' }),
    login_command: z.string().meta({ description: 'docker login with the password on standard input.' }),
  })
  .meta({ id: 'RegistryCredential' });

export const ZRestDeletedTagsSchema = z
  .object({ removed_tags: z.array(z.string()).meta({ description: 'The tag, and every other tag of the repository that named the same manifest.' }) })
  .meta({ id: 'DeletedImageTags' });
