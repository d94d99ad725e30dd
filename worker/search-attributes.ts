/**
 * Registers the workflow's search attributes on the namespace when they are missing, so
 * a fresh Temporal cluster works without a manual `temporal operator search-attribute create`.
 * The workflow's upserts would fail its tasks if they were not registered.
 */
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** `connection`: an address, or the full options (TLS, API key) from worker/temporal-connection.ts. */
export async function ensureSearchAttributes(connectTo: string | ConnectionOptions, namespace: string): Promise<string[]> {
  const connection = await Connection.connect(typeof connectTo === 'string' ? { address: connectTo } : connectTo);
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = { ...existing.customAttributes, ...existing.systemAttributes };
    const missing = SEARCH_ATTRIBUTE_KEYS.filter((key) => !(key.name in known));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
      });
    }
    return missing.map((key) => key.name);
  } finally {
    await connection.close();
  }
}
