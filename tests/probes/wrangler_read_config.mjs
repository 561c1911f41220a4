// Reads wrangler configs with wrangler's own code (unstable_readConfig, the function every wrangler
// command uses) and prints, per file, the warnings and errors it gives for one environment.
// Usage: node wrangler_read_config.mjs <folder whose node_modules holds wrangler> < cases.json
// Input: a JSON list of [path, env] on stdin; output: one JSON line per file, in order.
// Run offline: the test sets WRANGLER_SEND_METRICS=false and friends (docs: FIELD-NOTES).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const { unstable_readConfig } = createRequire(join(process.argv[2], "package.json"))("wrangler");

const cases = JSON.parse(readFileSync(0, "utf8"));
let captured = [];
const capture = (...parts) => captured.push(parts.map(String).join(" "));
console.warn = capture;
console.log = capture;
console.error = capture;
for (const [path, env] of cases) {
	captured = [];
	let error = null;
	try {
		unstable_readConfig({ config: path, env: env || undefined }, { hideWarnings: false });
	} catch (exc) {
		error = String(exc?.message ?? exc);
	}
	process.stdout.write(JSON.stringify({ path, env, error, output: captured.join("\n") }) + "\n");
}
