/** The API's request schemas, read once per page load from /openapi.json (the document the API generates from its zod schemas). */
import { openApiDocument } from './api';
import { variantsOf, type Variant } from './schema-fields';

let document: Promise<unknown> | undefined;

function loadDocument(): Promise<unknown> {
  document ??= openApiDocument().catch((err: unknown) => {
    document = undefined; // tried again next time
    throw err;
  });
  return document;
}

/** Per provider type: the create body's schema (settings, credentials and the common fields). */
export const integrationVariants = async (): Promise<Variant[]> => variantsOf(await loadDocument(), 'CreateIntegration');

/** Per channel type: the create body's schema. */
export const channelVariants = async (): Promise<Variant[]> => variantsOf(await loadDocument(), 'CreateNotificationChannel');
