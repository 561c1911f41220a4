"""What is where under ``reports/<env>/``: every name defined once, for the writers and the readers.

reports/
  categories.json            the project's defect categories (optional; gonogo's own otherwise)
  <env>/
    gate.json                the verdict (the gate writes it; docs/gate.md)
    deployment-report.md     the deployment report; the charts it shows beside it in charts/
    charts/                  this run's SVG charts (latency, baseline vs candidate, the watch)
    allure-results/          written by the run: allure-pytest's results + gonogo's extras
    history/                 kept between runs: Allure's trend, gonogo's verdicts and gate.json files
    report/                  written by ``gonogo report``; open report/index.html
      index.html             the landing page: the verdict first, then the way into Allure
      allure.html            Allure's report in one file (opens from disk)
      allure/                the same report as a folder (serve it over HTTP), same links
      gate.json              this run's; gonogo-runs/<n>/gate.json: each kept run's
"""

from __future__ import annotations

GATE_FILE = "gate.json"
DEPLOYMENT_REPORT = "deployment-report.md"
CHARTS_DIR = "charts"
RESULTS_DIR = "allure-results"
HISTORY_STORE = "history"
CATEGORIES_FILE = "categories.json"
REPORT_DIR = "report"
LANDING_PAGE = "index.html"
ALLURE_DIR = "allure"
ALLURE_SINGLE_FILE = "allure.html"
