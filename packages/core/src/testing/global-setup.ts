import { prepareTemplateDatabase } from "./database.js";

/** Vitest global setup: one migrated template per run; each test file clones it. */
export default async function setup(): Promise<() => Promise<void>> {
  return prepareTemplateDatabase();
}
