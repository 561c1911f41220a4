"""What wrangler 4.86 does not inherit from the top level into ``env.<name>``, and how it names bindings.

Taken from workers-sdk at tag ``wrangler@4.86.0``: ``packages/workers-utils/src/config/environment.ts``
(the ``EnvironmentNonInheritable`` interface) and ``validation.ts`` (``normalizeAndValidateEnvironment``:
every ``notInheritable(...)`` call, and the validator each field gets). Wrangler warns in two ways:

* a field the top level has and the env section lacks entirely: ``"<field>" exists at the top level,
  but not on "env.<name>"`` (``notInheritable`` in ``validation-helpers.ts``);
* a field both have, where a name the top level declares is missing from the env's: ``vars`` and
  ``define`` by key, ``durable_objects`` and ``unsafe`` by ``bindings[].name``
  (``validateBindingsProperty``), and the binding arrays below by ``binding`` (``validateBindingArray``).
  Single bindings (``ai``, ``browser``, ``images``, ``media``, ``stream``, ``version_metadata``) and the
  rest are compared as whole fields only, and so is ``queues`` (its producers are validated under the
  path ``queues.producers``, which wrangler never finds at the top level).
"""

from __future__ import annotations

WRANGLER_VERSION = "4.86.0"

#: every field wrangler does not inherit, in the order validation.ts checks them
NON_INHERITABLE: tuple[str, ...] = (
    "vars",
    "secrets",
    "define",
    "durable_objects",
    "workflows",
    "cloudchamber",
    "containers",
    "kv_namespaces",
    "send_email",
    "queues",
    "r2_buckets",
    "d1_databases",
    "vectorize",
    "ai_search_namespaces",
    "ai_search",
    "hyperdrive",
    "services",
    "analytics_engine_datasets",
    "dispatch_namespaces",
    "mtls_certificates",
    "tail_consumers",
    "streaming_tail_consumers",
    "unsafe",
    "browser",
    "ai",
    "images",
    "stream",
    "media",
    "pipelines",
    "secrets_store_secrets",
    "artifacts",
    "unsafe_hello_world",
    "flagship",
    "worker_loaders",
    "ratelimits",
    "vpc_services",
    "vpc_networks",
    "version_metadata",
)

#: fields whose entries wrangler compares by name, by their ``binding`` key (validateBindingArray)
BINDING_ARRAYS: frozenset[str] = frozenset(
    {
        "workflows",
        "kv_namespaces",
        "send_email",
        "r2_buckets",
        "d1_databases",
        "vectorize",
        "ai_search_namespaces",
        "ai_search",
        "hyperdrive",
        "services",
        "analytics_engine_datasets",
        "dispatch_namespaces",
        "mtls_certificates",
        "pipelines",
        "secrets_store_secrets",
        "artifacts",
        "unsafe_hello_world",
        "flagship",
        "worker_loaders",
        "ratelimits",
        "vpc_services",
        "vpc_networks",
    }
)

#: fields holding ``{"bindings": [{"name": ...}]}`` (validateBindingsProperty)
BINDINGS_PROPERTY: frozenset[str] = frozenset({"durable_objects", "unsafe"})

#: fields that are maps of names (validateVars, validateDefines)
NAME_MAPS: frozenset[str] = frozenset({"vars", "define"})

#: the files wrangler reads, in the order it looks for them (config-helpers.ts findWranglerConfig)
CONFIG_FILES: tuple[str, ...] = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")

#: files beside the config that hold local values of secrets: wrangler dev reads them, and a name in
#: them is a secret the deployed Worker gets with `wrangler secret put`, not a var
SECRET_FILES: tuple[str, ...] = (".dev.vars", ".env")
