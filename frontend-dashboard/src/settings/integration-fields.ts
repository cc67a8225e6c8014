/** A field of a catalog kind, as `integrationRoutes.catalog` describes it. */
export interface CatalogField {
  name: string;
  secret: boolean;
  required: boolean;
  type: string;
  description?: string | undefined;
  default?: unknown;
}

/** The form input's name: errors from the API point at `config.x` / `credentials.x`, so do the inputs. */
export const inputName = (field: CatalogField) => `${field.secret ? "credentials" : "config"}.${field.name}`;

/** One form value as the kind's schema takes it; `undefined` leaves the field out. */
export function fieldValue(field: CatalogField, raw: string | undefined): unknown {
  if (field.type === "boolean") return raw === "on";
  const text = (raw ?? "").trim();
  if (text === "") return undefined;
  if (field.type === "integer" || field.type === "number") {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (field.type.endsWith("[]")) {
    return text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  }
  return text;
}

/**
 * The `config` and `credentials` of a create or update body. On edit, an empty secret keeps the
 * stored one (secrets are write-only), and booleans are always sent.
 */
export function splitValues(fields: readonly CatalogField[], values: Record<string, string>) {
  const config: Record<string, unknown> = {};
  const credentials: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fieldValue(field, values[inputName(field)]);
    if (value === undefined) continue;
    (field.secret ? credentials : config)[field.name] = value;
  }
  return { config, credentials };
}
