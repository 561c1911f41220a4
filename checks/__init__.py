"""gonogo's built-in pre-deploy checks (stage precheck), shipped in the wheel as ``gonogo.suite.checks``."""
