// The API's configuration comes from the platform's single config module (packages/core/src/config),
// which is the only reader of process.env; the workers use the same module.
export { type Config, ConfigError, loadConfig, loadConfigOrExit } from "@nora/core";
