import { loadConfigOrExit } from "../config/index.js";
import { createPool } from "../db/pool.js";
import { Keyring } from "./keyring.js";
import { rotateSealedValues, sealedKeyUsage } from "./rotation.js";

/**
 * `npm run secrets:rotate` re-seals every stored secret under ENCRYPTION_KEY (old keys listed in
 * ENCRYPTION_KEYS_PREVIOUS); `npm run secrets:check` reports how many values each key seals.
 * Prints counts and key ids only, never a value.
 */
const args = process.argv.slice(2);
const checkOnly = args.includes("--check");
const batchArg = args.find((a) => a.startsWith("--batch="));
const batchSize = batchArg ? Number(batchArg.slice("--batch=".length)) : 500;
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  process.stderr.write("--batch must be a whole number between 1 and 10000\n");
  process.exit(2);
}

const config = loadConfigOrExit("secrets");
const pool = createPool(config.database, "nora-secrets");
try {
  const keyring = Keyring.fromConfig(config);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (!checkOnly) {
    print(`re-sealing under key ${keyring.currentKeyId}`);
    const report = await rotateSealedValues(pool, keyring, {
      batchSize,
      onProgress: (p) => print(`  ${p.table}.${p.column}: ${p.resealed} re-sealed, ${p.remaining} to go`),
    });
    for (const r of report)
      print(`${r.table}.${r.column}: ${r.resealed} re-sealed, ${r.remaining} remaining`);
  }
  print(
    `current key: ${keyring.currentKeyId ?? "none"}; configured keys: ${keyring.knownKeyIds.join(", ") || "none"}`,
  );
  for (const u of await sealedKeyUsage(pool)) {
    const counts = Object.entries(u.byKeyId).map(([k, n]) => `${k}=${n}`);
    print(`${u.table}.${u.column}: ${counts.join(" ") || "empty"}`);
  }
} catch (error) {
  process.stderr.write(`secrets: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
