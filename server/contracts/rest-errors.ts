/** The one error shape of the REST API. */
import { z } from 'zod';

export const ZRestErrorSchema = z
  .object({
    error_code: z.string().meta({ example: 'ModelArts.0101' }),
    error_msg: z.string(),
    field: z.string().optional().meta({ description: 'The request field at fault, as a dotted path (e.g. config.0.specification).' }),
    request_id: z.string().optional().meta({ description: 'Only on 500: the id to look up in the Anvil server log.' }),
  })
  .meta({ id: 'Error' });
export type TRestError = z.infer<typeof ZRestErrorSchema>;
