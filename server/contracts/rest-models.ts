/**
 * The REST spelling of AI applications ("models", ModelArts-style snake_case). Every field reuses
 * the schema of the console's form (`ZCreateAppSchema`), so both doors refuse the same values with
 * the same messages; only the names and the ModelArts enum spellings differ.
 */
import { z } from 'zod';
import { APP_STATUSES, ZCreateAppSchema } from './apps';
import { ZEventRecordSchema } from './events';

const form = ZCreateAppSchema.shape;
const doc = form.docs.unwrap().element.shape;

/** ModelArts calls the online deployment type "real-time". */
export const REST_INSTALL_TYPES = ['real-time', 'batch', 'edge'] as const;

export const ZRestCreateModelSchema = z
  .strictObject({
    model_name: form.name,
    model_version: form.version.unwrap().optional().meta({ description: 'Default 0.0.1.' }),
    description: form.description.unwrap().optional(),
    source_location: form.sourceUri.meta({ description: 'The object-storage folder that holds the `model` folder, e.g. obs://models/iris.' }),
    runtime: form.runtime,
    install_type: z.array(z.enum(REST_INSTALL_TYPES)).optional().meta({ description: 'Default ["real-time"].' }),
    request_mode: form.requestMode.unwrap().optional().meta({ description: 'sync (default) or async: calls get a request id at once and fetch the result later (guide table 2-11).' }),
    model_docs: z
      .array(z.strictObject({ doc_name: doc.name, doc_url: doc.url }))
      .optional()
      .meta({ description: 'Up to 3 documentation links (http or https).' }),
  })
  .meta({ id: 'CreateModelRequest' });
export type TRestCreateModel = z.infer<typeof ZRestCreateModelSchema>;

/** Where each field of the console's form lives in the REST body, so core errors name the REST field. */
export const REST_MODEL_FIELDS: Record<string, string> = {
  name: 'model_name',
  version: 'model_version',
  description: 'description',
  sourceUri: 'source_location',
  runtime: 'runtime',
  deployTypes: 'install_type',
  requestMode: 'request_mode',
  docs: 'model_docs',
};

export const ZRestModelIdSchema = z.string().min(1).meta({ description: 'The model ID of one AI-application version.' });

export const ZRestCreatedModelSchema = z
  .object({ model_id: z.string(), model_name: z.string(), model_version: z.string(), model_status: z.enum(APP_STATUSES) })
  .meta({ id: 'CreatedModel' });

export const ZRestModelSchema = z
  .object({
    model_id: z.string(),
    model_name: z.string(),
    model_version: z.string(),
    model_status: z.enum(APP_STATUSES),
    model_type: z.string(),
    runtime: z.string(),
    source_location: z.string(),
    description: z.string(),
    model_size: z.number().nullable().meta({ description: 'Bytes; null until the import has measured it.' }),
    install_type: z.array(z.string()),
    request_mode: z.enum(['sync', 'async']),
    create_at: z.number().meta({ description: 'Epoch milliseconds.' }),
  })
  .meta({ id: 'Model' });

export const ZRestModelDetailSchema = ZRestModelSchema.extend({
  apis: z.array(z.record(z.string(), z.unknown())).meta({ description: 'The `apis` of config.json with their parameter lists.' }),
  metrics: z.record(z.string(), z.union([z.string(), z.number()])),
}).meta({ id: 'ModelDetail' });

export const ZRestModelListSchema = z.object({ models: z.array(ZRestModelSchema) }).meta({ id: 'ModelList' });

export const ZRestEventListSchema = z.object({ events: z.array(ZEventRecordSchema) }).meta({ id: 'EventList', description: 'Newest first.' });
