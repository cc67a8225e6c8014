import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./index.js";

const read = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), "utf8");

function envValue(text: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1]?.trim();
}

/**
 * The stack's address is stated in several places: the config default, `.env.example`, the port
 * docker-compose.yml publishes, and the docs that tell a new user where to point the browser. When
 * they disagree (localhost vs 127.0.0.1), the browser's origin is not PUBLIC_URL's and every sign-in
 * is refused as cross-site. This test holds them to one address.
 */
describe("the stack's address is the same everywhere", () => {
  const example = read(".env.example");
  const compose = read("docker-compose.yml");
  const published = /"\$\{NORA_BIND_ADDRESS:-([^}]+)\}:\$\{NORA_HTTP_PORT:-(\d+)\}:\d+"/.exec(compose);
  const stack = `http://${published?.[1]}:${published?.[2]}`;

  it("docker-compose.yml publishes nginx on the defaults .env.example gives", () => {
    expect(published).not.toBeNull();
    expect(envValue(example, "NORA_BIND_ADDRESS")).toBe(published?.[1]);
    expect(envValue(example, "NORA_HTTP_PORT")).toBe(published?.[2]);
  });

  it("PUBLIC_URL defaults to that address, in the config schema and in .env.example", () => {
    expect(loadConfig({}).api.publicUrl).toBe(stack);
    expect(envValue(example, "PUBLIC_URL")).toBe(stack);
  });

  it("the README and docs send browsers to that address only", () => {
    const files = [
      "README.md",
      ...readdirSync(new URL("../../../../docs", import.meta.url)).map((f) => `docs/${f}`),
    ];
    const port = published?.[2] as string;
    const mentions = files.flatMap((file) =>
      [...read(file).matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0):(\d+)/g)]
        .filter((m) => m[1] === port)
        .map((m) => `${file}: ${m[0]}`),
    );
    expect(mentions.length).toBeGreaterThan(0);
    expect(mentions.filter((m) => !m.endsWith(`: ${stack}`))).toEqual([]);
  });
});
