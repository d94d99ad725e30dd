/** Opens the MongoDB connection (any MongoDB, or FerretDB in tests) and builds the models and indexes. */
import mongoose from 'mongoose';
import { createModels, type Models } from './models';

export interface Database {
  connection: mongoose.Connection;
  models: Models;
  close(): Promise<void>;
}

/**
 * Mongoose records a stack trace as every query runs, to name where a query run twice was first
 * run; under ts-node's source maps that is a tenth of a millisecond or more per query, on every
 * report and every provider operation. Our queries run once each.
 */
mongoose.set('skipOriginalStackTraces', true);

export async function openDatabase(url: string): Promise<Database> {
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: 5_000,
    // Fail fast while MongoDB is away (the API answers 503) instead of queueing operations.
    bufferCommands: false,
  });
  await connection.asPromise();
  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.init()));
  return { connection, models, close: () => connection.close() };
}
