#!/usr/bin/env node
// Run the Worker locally on the real Workers runtime (workerd), through Miniflare's API.
//
//   node serve.mjs --env staging --port 8787 --seed kv-seed.json
//
// It reads wrangler.toml the way wrangler does: `main`, `compatibility_date` and
// `compatibility_flags` from the top level (an [env.*] may override them); `vars` and `kv_namespaces`
// from [env.<name>] ONLY (wrangler does not inherit them), so a binding the environment forgets is
// missing here as it would be on Cloudflare. KV is in memory, seeded from --seed/--kv before the
// requested port opens (so the first /health that answers finds the seed) and before the "listening on"
// line is printed. Nothing leaves the machine: no Cloudflare account, `cf: false` (no
// cf.json download), loopback only.
//
// Knobs (a flag beats its variable; docs/cloudflare-workers.md):
//   --var NAME=VALUE           override a var (repeatable)        GONOGO_WORKER_VERSION=V  (var VERSION)
//   --fault MODE               none | errors | unhealthy           GONOGO_WORKER_FAULT=MODE
//   --fault-after SECONDS      MODE starts this long after start   GONOGO_WORKER_FAULT_AFTER=S
//   --kv-omit BINDING:KEY      leave a seeded key out (repeatable) GONOGO_WORKER_KV_OMIT=B:K,B:K
// With --fault-after (or on SIGUSR2) the fault is switched on by writing MODE to the KV key "fault" of
// the CONFIG namespace: the Worker's kill switch, as `wrangler kv key put fault errors` would on
// Cloudflare. Without it, --fault sets the var FAULT from the start.
//
// SIGTERM / SIGINT: Miniflare kills workerd and the process exits (143 / 130). Other exit codes: 2 bad
// usage, 3 runtime not installed, 1 anything else.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = dirname(fileURLToPath(import.meta.url));
const PREFIX = "gonogo worker:";
const FAULTS = ["none", "errors", "unhealthy"];
const FAULT_BINDING = "CONFIG";
const FAULT_KEY = "fault";
const MIN_NODE = [20, 18, 1]; // undici 7 (inside Miniflare) needs it

function fail(code, message) {
  process.stderr.write(`${PREFIX} ${message}\n`);
  process.exit(code);
}

function usage(message) {
  fail(2, `${message}\nusage: node serve.mjs --env NAME [--port N] [--host H] [--config wrangler.toml] ` +
    "[--seed FILE] [--kv BINDING:KEY=VALUE] [--kv-omit BINDING:KEY] [--var NAME=VALUE] " +
    "[--fault MODE] [--fault-after S]");
}

function checkNode() {
  const have = process.versions.node.split(".").map(Number);
  for (let i = 0; i < MIN_NODE.length; i++) {
    if (have[i] > MIN_NODE[i]) return;
    if (have[i] < MIN_NODE[i]) {
      fail(2, `Node ${process.versions.node} is too old: Miniflare 4 needs Node ${MIN_NODE.join(".")} or later`);
    }
  }
}

// The runtime is a devDependency-free npm install beside this file; say how to get it, in the words
// a person types, rather than Node's module-resolution stack trace.
async function importRuntime() {
  const modules = join(HERE, "node_modules");
  const fix = `Fix: npm ci --prefix ${relative(process.cwd(), HERE) || "."} (installs the pinned Miniflare and ` +
    "workerd from package-lock.json)";
  if (!existsSync(join(modules, "miniflare")) || !existsSync(join(modules, "smol-toml"))) {
    fail(3, `the Workers runtime is not installed: ${modules} has no miniflare / smol-toml. ${fix}`);
  }
  try {
    const [{ Miniflare }, toml] = await Promise.all([import("miniflare"), import("smol-toml")]);
    return { Miniflare, toml };
  } catch (error) {
    fail(3, `the Workers runtime in ${modules} cannot be loaded (${error.message}). ${fix}`);
  }
}

function parseCommandLine() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        env: { type: "string" },
        port: { type: "string", default: "8787" },
        host: { type: "string", default: "127.0.0.1" },
        config: { type: "string", default: join(HERE, "wrangler.toml") },
        seed: { type: "string" },
        kv: { type: "string", multiple: true, default: [] },
        "kv-omit": { type: "string", multiple: true },
        var: { type: "string", multiple: true, default: [] },
        fault: { type: "string" },
        "fault-after": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    usage(error.message);
  }
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0-65535, given: ${values.port}`);
  const environ = process.env;
  const fault = values.fault ?? (environ.GONOGO_WORKER_FAULT || undefined);
  if (fault !== undefined && !FAULTS.includes(fault)) {
    usage(`${values.fault !== undefined ? "--fault" : "GONOGO_WORKER_FAULT"} must be one of ${FAULTS.join(", ")}, ` +
      `given: ${fault}`);
  }
  const afterText = values["fault-after"] ?? (environ.GONOGO_WORKER_FAULT_AFTER || undefined);
  let faultAfter;
  if (afterText !== undefined) {
    faultAfter = Number(afterText);
    if (!Number.isFinite(faultAfter) || faultAfter < 0) {
      usage(`${values["fault-after"] !== undefined ? "--fault-after" : "GONOGO_WORKER_FAULT_AFTER"} must be ` +
        `seconds >= 0, given: ${afterText}`);
    }
  }
  const omitted = values["kv-omit"] ?? (environ.GONOGO_WORKER_KV_OMIT || "").split(",").filter(Boolean);
  const overrides = {};
  if (environ.GONOGO_WORKER_VERSION) overrides.VERSION = environ.GONOGO_WORKER_VERSION;
  for (const item of values.var) {
    const at = item.indexOf("=");
    if (at < 1) usage(`--var must be NAME=VALUE, given: ${item}`);
    overrides[item.slice(0, at)] = item.slice(at + 1);
  }
  const entries = values.kv.map((item) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*):([^=]+)=(.*)$/s.exec(item);
    if (!match) usage(`--kv must be BINDING:KEY=VALUE, given: ${item}`);
    return { binding: match[1], key: match[2], value: match[3] };
  });
  for (const item of omitted) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*:.+$/.test(item)) usage(`--kv-omit must be BINDING:KEY, given: ${item}`);
  }
  return {
    env: values.env,
    port,
    host: values.host,
    config: resolve(values.config),
    seed: values.seed === undefined ? undefined : resolve(values.seed),
    entries,
    omitted: new Set(omitted),
    overrides,
    fault: fault ?? "none",
    faultAfter,
  };
}

// What wrangler would deploy for --env NAME: inheritable keys from the top, the rest from the env only.
function workerConfig(toml, options) {
  let config;
  try {
    config = toml.parse(readFileSync(options.config, "utf8"));
  } catch (error) {
    fail(2, `cannot read ${options.config}: ${error.message}`);
  }
  let section = config;
  if (options.env !== undefined) {
    section = config.env?.[options.env];
    if (section === undefined) {
      const declared = Object.keys(config.env ?? {}).join(", ") || "none";
      fail(2, `${options.config} has no [env.${options.env}] (environments declared: ${declared})`);
    }
  }
  const pick = (key) => section[key] ?? config[key];
  const main = pick("main");
  if (!main) fail(2, `${options.config} has no \`main\` (the Worker's entry module)`);
  const vars = { ...(section.vars ?? {}), ...options.overrides };
  const kv = (section.kv_namespaces ?? []).map((entry) => entry.binding);
  return {
    name: pick("name") ?? "worker",
    scriptPath: resolve(dirname(options.config), main),
    compatibilityDate: pick("compatibility_date"),
    compatibilityFlags: pick("compatibility_flags") ?? [],
    vars,
    kv,
  };
}

function seedEntries(options, worker) {
  const entries = [];
  if (options.seed !== undefined) {
    let data;
    try {
      data = JSON.parse(readFileSync(options.seed, "utf8"));
    } catch (error) {
      fail(2, `--seed ${options.seed}: ${error.message}`);
    }
    for (const [binding, keys] of Object.entries(data)) {
      for (const [key, value] of Object.entries(keys)) {
        entries.push({ binding, key, value: typeof value === "string" ? value : JSON.stringify(value) });
      }
    }
  }
  entries.push(...options.entries);
  for (const { binding } of entries) {
    if (!worker.kv.includes(binding)) {
      const where = options.env === undefined ? "the top level" : `[env.${options.env}]`;
      fail(2, `cannot seed KV binding ${binding}: ${where} of ${options.config} declares no such kv_namespaces ` +
        `binding (declared: ${worker.kv.join(", ") || "none"})`);
    }
  }
  return entries.filter(({ binding, key }) => !options.omitted.has(`${binding}:${key}`));
}

async function main() {
  checkNode();
  const options = parseCommandLine();
  const { Miniflare, toml } = await importRuntime();
  const worker = workerConfig(toml, options);
  const delayed = options.faultAfter !== undefined && options.fault !== "none";
  if (options.fault !== "none" && !delayed) worker.vars.FAULT = options.fault;
  if (delayed && !worker.kv.includes(FAULT_BINDING)) {
    fail(2, `--fault-after writes the KV key ${FAULT_BINDING}/${FAULT_KEY}, but no ${FAULT_BINDING} binding is declared`);
  }
  const entries = seedEntries(options, worker);

  const settings = {
    name: worker.name,
    modules: true,
    scriptPath: worker.scriptPath,
    // module names are paths relative to this root; the default (the working directory) breaks when
    // the Worker lives outside it (workerd refuses "..")
    modulesRoot: dirname(options.config),
    compatibilityDate: worker.compatibilityDate,
    compatibilityFlags: worker.compatibilityFlags,
    bindings: worker.vars,
    kvNamespaces: worker.kv,
    kvPersist: false, // in memory: every run starts from the seed
    host: options.host,
    cf: false, // no download of cf.json from Cloudflare
  };

  // Seeded before the port opens: gonogo (and any launcher) counts the Worker up when /health answers,
  // and a key put after that is missing for the first requests, as it would never be on Cloudflare,
  // where KV is written before the deploy. So workerd starts on a port of its own choosing, the seed is
  // put, and only then does it move to the port asked for. Miniflare keeps non-persisted storage in a
  // temporary folder of the instance, which outlives setOptions (it is removed at exit).
  const mf = new Miniflare({ ...settings, port: entries.length ? 0 : options.port });
  await mf.ready;
  for (const { binding, key, value } of entries) {
    const namespace = await mf.getKVNamespace(binding);
    await namespace.put(key, value);
  }
  if (entries.length) await mf.setOptions({ ...settings, port: options.port });

  // Stopping: Miniflare's own exit hook (installed by the constructor) answers SIGTERM / SIGINT by
  // killing workerd and exiting 143 / 130; a launcher that signals the whole process group (gonogo
  // does) reaches workerd directly as well.

  const url = await mf.ready;
  const started = Date.now();
  const inject = async (why) => {
    const namespace = await mf.getKVNamespace(FAULT_BINDING);
    const mode = options.fault === "none" ? "errors" : options.fault;
    await namespace.put(FAULT_KEY, mode);
    const at = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${PREFIX} fault ${mode} injected at ${at} s (${why}; KV ${FAULT_BINDING}/${FAULT_KEY})\n`);
  };
  if (delayed) setTimeout(() => inject(`--fault-after ${options.faultAfter}`), options.faultAfter * 1000);
  if (worker.kv.includes(FAULT_BINDING)) process.on("SIGUSR2", () => inject("SIGUSR2"));

  const omitted = options.omitted.size ? `, omitted ${[...options.omitted].join(", ")}` : "";
  const fault = delayed ? `${options.fault} after ${options.faultAfter} s` : options.fault;
  process.stdout.write(
    `${PREFIX} ${worker.name} [env.${options.env ?? "(top level)"}] VERSION ${worker.vars.VERSION}, ` +
      `KV ${worker.kv.join(", ") || "none"} (${entries.length} key(s) seeded${omitted}), fault ${fault}, ` +
      `compatibility_date ${worker.compatibilityDate}\n`,
  );
  // the line tests and people wait for: the same shape as the demo's
  process.stdout.write(`gonogo worker ${options.env ?? "dev"} ${worker.vars.VERSION} listening on ${url.origin}\n`);
}

main().catch((error) => {
  fail(1, `${error?.message ?? error}`);
});
