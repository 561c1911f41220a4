"""Configuration text that tests in several folders write: the ``[launch]`` table that starts the demo,
the demo's item routes as ``[[routes]]`` tables, and a healthy ``wrangler.toml`` whose ``env.staging``
declares everything it does not inherit."""

from __future__ import annotations


def launch_demo(*flags: str, python: str = "{python}") -> str:
    """The ``[launch]`` table that starts the demo (with ``flags``) on the port gonogo picks and waits for
    its /health; ``python`` is the interpreter (``{python}``: the one running pytest)."""
    command = ", ".join(f'"{part}"' for part in (python, "-m", "gonogo.demo", "--port", "{port}", *flags))
    return f'[launch]\ncommand = [{command}]\nready_path = "/health"\ntimeout_s = 30\n'


#: the demo's ``GET /api/items/1``
GET_ITEM = """
[[routes]]
name = "get item"
path = "/api/items/1"
"""

#: the demo's ``POST /api/items``: it creates an item, so it is destructive
CREATE_ITEM = """
[[routes]]
name = "create item"
method = "POST"
path = "/api/items"
json = { name = "gonogo probe", price = 1.0 }
status = 201
destructive = true
"""

HEALTHY_WRANGLER_TOML = """
name = "shop"
main = "src/index.ts"
compatibility_date = "2025-01-01"

[vars]
API_BASE = "https://api.example.com"

[[kv_namespaces]]
binding = "SESSIONS"
id = "aaaa"

[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"

[env.staging]
vars = { API_BASE = "https://api.staging.example.com" }
kv_namespaces = [{ binding = "SESSIONS", id = "bbbb" }]
durable_objects.bindings = [{ name = "CART", class_name = "Cart" }]
"""
