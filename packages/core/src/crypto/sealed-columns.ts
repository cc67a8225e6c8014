/**
 * Every column that holds sealed values, for key rotation and the key-usage check. A domain that adds
 * a sealed column registers it here in the same change as its migration.
 */
export interface SealedColumn {
  table: string;
  column: string;
  /** Primary key column; its value is the row id bound into the ciphertext. */
  idColumn: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "agent_secret_overrides", column: "value_sealed", idColumn: "id" },
  { table: "agents", column: "runtime_token_sealed", idColumn: "id" },
  { table: "agents", column: "gateway_token_sealed", idColumn: "id" },
  { table: "agents", column: "gateway_device_key_sealed", idColumn: "id" },
  { table: "llm_providers", column: "api_key", idColumn: "id" },
  { table: "integrations", column: "credentials", idColumn: "id" },
  { table: "channels", column: "credentials", idColumn: "id" },
  { table: "clusters", column: "kubeconfig_sealed", idColumn: "id" },
];
