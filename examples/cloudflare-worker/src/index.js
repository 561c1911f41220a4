// A small Cloudflare Worker (ES module syntax) that gonogo verifies: see docs/cloudflare-workers.md.
//
//   GET /health       {"status": "ok", "environment": ...}    (503 with FAULT = "unhealthy")
//   GET /version      {"version": VERSION, "environment": ...} (VERSION is a var, set per environment
//                                                              in wrangler.toml or with --var on deploy)
//   GET /api/config   the JSON stored under the key "config" in the KV namespace bound as CONFIG;
//                     500 naming the key and the binding when the key is missing
//
// Faults, for rehearsing a bad deploy: the var FAULT ("none", "errors", "unhealthy"), overridden at run
// time by the KV key "fault" in CONFIG (a kill switch: written with `wrangler kv key put`, or by
// serve.mjs --fault-after / SIGUSR2 locally). "errors" answers every /api/* request with HTTP 500.

const CONFIG_KEY = "config";
const FAULT_KEY = "fault";
const FAULTS = new Set(["none", "errors", "unhealthy"]);

// Security headers on every answer; no header that names the stack.
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'",
};

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: HEADERS });
}

// The fault in force: the KV kill switch wins over the var, so a fault can be injected into a running
// Worker without a redeploy. A value that is not a known fault is ignored (logged), never guessed at.
async function currentFault(env) {
  let fault = env.FAULT || "none";
  if (env.CONFIG) {
    const flag = await env.CONFIG.get(FAULT_KEY);
    if (flag !== null) fault = flag.trim();
  }
  if (!FAULTS.has(fault)) {
    console.warn(`unknown fault ${JSON.stringify(fault)} ignored; known: ${[...FAULTS].join(", ")}`);
    return "none";
  }
  return fault;
}

async function readConfig(env) {
  const where = `KV namespace bound as CONFIG (environment ${env.ENVIRONMENT || "unknown"})`;
  if (!env.CONFIG) {
    // the binding itself is missing: wrangler.toml declares it at the top level only (not inherited)
    return json({ error: `no KV binding CONFIG: cannot read KV key '${CONFIG_KEY}'`, key: CONFIG_KEY }, 500);
  }
  const value = await env.CONFIG.get(CONFIG_KEY, "json");
  if (value === null) {
    return json(
      {
        error: `KV key '${CONFIG_KEY}' is missing from the ${where}`,
        key: CONFIG_KEY,
        binding: "CONFIG",
        fix: `wrangler kv key put --binding CONFIG --env <env> --remote ${CONFIG_KEY} '<json>'`,
      },
      500,
    );
  }
  return json({ key: CONFIG_KEY, environment: env.ENVIRONMENT, value });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json({ error: `method ${request.method} not allowed` }, 405);
    }
    const fault = await currentFault(env);
    switch (url.pathname) {
      case "/health":
        if (fault === "unhealthy") {
          return json({ status: "unhealthy", environment: env.ENVIRONMENT, fault }, 503);
        }
        return json({ status: "ok", environment: env.ENVIRONMENT });
      case "/version":
        return json({ version: env.VERSION, environment: env.ENVIRONMENT });
      case "/api/config":
        if (fault === "errors") {
          return json({ error: "injected fault (FAULT = errors)", fault }, 500);
        }
        return readConfig(env);
      default:
        return json({ error: `no route for ${url.pathname}` }, 404);
    }
  },
};
