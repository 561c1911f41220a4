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

from typing import Literal

WRANGLER_VERSION = "4.86.0"

#: how wrangler compares a field that both the top level and ``env.<name>`` have: ``names``, the keys of
#: a map of names (validateVars, validateDefines); ``bindings``, ``{"bindings": [{"name": ...}]}``
#: (validateBindingsProperty); ``binding``, each entry's ``binding`` key (validateBindingArray); ``whole``,
#: only as a whole field
Compared = Literal["names", "bindings", "binding", "whole"]

#: every field wrangler does not inherit, in the order validation.ts checks them, and how it compares it
COMPARED_BY: dict[str, Compared] = {
    "vars": "names",
    "secrets": "whole",
    "define": "names",
    "durable_objects": "bindings",
    "workflows": "binding",
    "cloudchamber": "whole",
    "containers": "whole",
    "kv_namespaces": "binding",
    "send_email": "binding",
    "queues": "whole",
    "r2_buckets": "binding",
    "d1_databases": "binding",
    "vectorize": "binding",
    "ai_search_namespaces": "binding",
    "ai_search": "binding",
    "hyperdrive": "binding",
    "services": "binding",
    "analytics_engine_datasets": "binding",
    "dispatch_namespaces": "binding",
    "mtls_certificates": "binding",
    "tail_consumers": "whole",
    "streaming_tail_consumers": "whole",
    "unsafe": "bindings",
    "browser": "whole",
    "ai": "whole",
    "images": "whole",
    "stream": "whole",
    "media": "whole",
    "pipelines": "binding",
    "secrets_store_secrets": "binding",
    "artifacts": "binding",
    "unsafe_hello_world": "binding",
    "flagship": "binding",
    "worker_loaders": "binding",
    "ratelimits": "binding",
    "vpc_services": "binding",
    "vpc_networks": "binding",
    "version_metadata": "whole",
}

#: the fields alone, in that order
NON_INHERITABLE: tuple[str, ...] = tuple(COMPARED_BY)


def _compared(how: Compared) -> frozenset[str]:
    return frozenset(field for field, compared in COMPARED_BY.items() if compared == how)


#: fields whose entries wrangler compares by name, by their ``binding`` key (validateBindingArray)
BINDING_ARRAYS: frozenset[str] = _compared("binding")

#: fields holding ``{"bindings": [{"name": ...}]}`` (validateBindingsProperty)
BINDINGS_PROPERTY: frozenset[str] = _compared("bindings")

#: fields that are maps of names (validateVars, validateDefines)
NAME_MAPS: frozenset[str] = _compared("names")

#: the files wrangler reads, in the order it looks for them (config-helpers.ts findWranglerConfig)
CONFIG_FILES: tuple[str, ...] = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")

#: files beside the config that hold local values of secrets: wrangler dev reads them, and a name in
#: them is a secret the deployed Worker gets with `wrangler secret put`, not a var
SECRET_FILES: tuple[str, ...] = (".dev.vars", ".env")
