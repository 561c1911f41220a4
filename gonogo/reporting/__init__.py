"""Run output: gate.json, the deployment report, Allure extras and the HTML report."""
