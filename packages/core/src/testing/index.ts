export {
  createTestDatabase,
  prepareTemplateDatabase,
  type TestDatabase,
  templateDatabaseName,
} from "./database.js";
export { LogCapture } from "./log-capture.js";
export { DisposableRedis, freePort } from "./redis-server.js";
export { type ServiceProcess, spawnService } from "./service-process.js";
export { testConfig, testServiceUrls, uniqueKeyPrefix } from "./test-config.js";
