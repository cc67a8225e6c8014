import { loadConfigOrExit } from "../config/index.js";
import { createLogger } from "../logging/logger.js";
import { migrate } from "./migrations.js";
import { createPool } from "./pool.js";

const config = loadConfigOrExit("migrate");
const logger = createLogger({ service: "migrate", level: config.logLevel });
const pool = createPool(config.database, "nora-migrate");
try {
  const result = await migrate(pool, {
    onApplied: (id, ms) => logger.info({ migration: id, ms }, "migration applied"),
  });
  logger.info(
    { applied: result.applied.length, alreadyApplied: result.alreadyApplied },
    "migrations up to date",
  );
} catch (error) {
  logger.error({ err: error }, "migration failed");
  process.exitCode = 1;
} finally {
  await pool.end();
}
