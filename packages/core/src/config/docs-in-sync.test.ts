import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SECRET_VARIABLES } from "./env.js";
import { envSchema } from "./schema.js";

const read = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), "utf8");

describe("configuration docs stay true", () => {
  const variables = Object.keys(envSchema.shape);
  const example = read(".env.example");
  const docs = read("docs/configuration.md");

  it.each(variables)("%s is in .env.example and docs/configuration.md", (name) => {
    expect(example).toMatch(new RegExp(`^${name}=`, "m"));
    expect(docs).toContain(`\`${name}\``);
  });

  it("documents every *_FILE variant", () => {
    for (const name of SECRET_VARIABLES) expect(docs).toContain(`\`${name}\``);
  });
});
