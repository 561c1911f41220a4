"""What is where under ``reports/<env>/``: every name defined once, for the writers and the readers.

reports/
  categories.json            the project's defect categories (optional; gonogo's own otherwise)
  <env>/
    gate.json                the verdict (the gate writes it; docs/gate.md)
    deployment-report.md     the deployment report
    allure-results/          written by the run: allure-pytest's results + gonogo's extras
    history/                 kept between runs: Allure's trend
    allure-report/           written by ``gonogo report``: the folder report (serve it over HTTP)
    report.html              the same report in one file
"""

from __future__ import annotations

GATE_FILE = "gate.json"
DEPLOYMENT_REPORT = "deployment-report.md"
RESULTS_DIR = "allure-results"
HISTORY_STORE = "history"
CATEGORIES_FILE = "categories.json"
REPORT_DIR = "allure-report"
SINGLE_FILE = "report.html"
