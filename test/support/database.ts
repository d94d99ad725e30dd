/** A fresh database per test file on the run's MongoDB-protocol server (FerretDB or MONGO_URL). */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../store/db';

export function testMongoUrl(): string {
  const base = process.env.TEST_MONGO_URL;
  if (!base) throw new Error('TEST_MONGO_URL is not set: the jest global setup starts FerretDB');
  return `${base.replace(/\/+$/, '')}/test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function openTestDatabase(url = testMongoUrl()): Promise<Database & { url: string }> {
  return openDatabase(url).then((db) => ({ ...db, url }));
}
