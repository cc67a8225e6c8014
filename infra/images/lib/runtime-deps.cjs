// Prints "<name>\t<directory>" for every package the runtime server loads at run time: the
// dependencies of the package directory given (agent-runtime), theirs, and the optional ones that
// are installed (node-pty's binary for this platform), found as Node resolves them. The image builds
// copy these, flat, into /opt/nora/runtime/node_modules.
const { existsSync, readFileSync } = require("node:fs");
const { dirname, join, resolve } = require("node:path");

function findPackage(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const found = new Map();
function visit(name, from, optional) {
  const dir = findPackage(name, from);
  if (dir === null) {
    if (optional) return;
    throw new Error(`${name} is not installed (needed from ${from})`);
  }
  const previous = found.get(name);
  if (previous !== undefined) {
    if (previous !== dir) throw new Error(`two copies of ${name}: ${previous} and ${dir}`);
    return;
  }
  found.set(name, dir);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
  for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
}

const root = resolve(process.argv[2] ?? ".");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, root, false);
for (const [name, dir] of [...found].sort()) process.stdout.write(`${name}\t${dir}\n`);
