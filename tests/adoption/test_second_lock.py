"""Every pytest run in the CI files `gonogo init` writes is followed by `gonogo verdict` (issue 13): a
check that ends the process with exit 0 before the gate judged cannot promote through them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "gonogo" / "scaffold" / "templates"
PYTEST_RUN = re.compile(r'pytest --env "\$GONOGO_ENV" --stage (\w+)')
SECOND_LOCK = 'gonogo verdict --env "$GONOGO_ENV" --require GO'


@pytest.mark.parametrize("template", ["github-workflow.yml.tmpl", "gitlab-ci.yml.tmpl"])
def test_every_stage_run_is_followed_by_the_second_lock(template: str) -> None:
    lines = (TEMPLATES / template).read_text(encoding="utf-8").splitlines()
    runs = [(index, match.group(1)) for index, line in enumerate(lines) if (match := PYTEST_RUN.search(line))]
    runs = [(index, stage) for index, stage in runs if not lines[index].lstrip().startswith("#")]
    assert {stage for _, stage in runs} == {"precheck", "smoke", "postdeploy"}
    for index, stage in runs:
        following = "\n".join(lines[index + 1 : index + 5])
        assert SECOND_LOCK in following, f"{template}: the {stage} run has no gonogo verdict after it"


#: documented recipes: a code block that runs gonogo and then deploys, switches or promotes
RECIPE_DOCS = [
    "docs/gate.md",
    "docs/adoption.md",
    "docs/cloudflare-workers.md",
    "docs/bluegreen.md",
    "README.md",
]
ACTS = re.compile(r"versions deploy|switch-traffic|kubectl argo|promote|deploy\.sh|\./deploy/")


@pytest.mark.parametrize("doc", RECIPE_DOCS)
def test_every_documented_recipe_that_acts_on_a_run_checks_the_second_lock(doc: str) -> None:
    text = (TEMPLATES.parents[2] / doc).read_text(encoding="utf-8")
    for block in re.finditer(r"```(?:bash|sh|yaml|yml)\n(.*?)```", text, re.S):
        code = [line for line in block.group(1).splitlines() if not line.lstrip().startswith("#")]
        runs = "\n".join(code)
        if "pytest --env" in runs and ACTS.search(runs):
            line = text[: block.start()].count("\n") + 1
            assert "gonogo verdict" in runs, f"{doc}:{line}: a recipe acts on pytest's exit code alone"
