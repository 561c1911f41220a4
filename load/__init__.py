"""gonogo's built-in post-deploy checks (stage postdeploy), shipped in the wheel as ``gonogo.suite.load``."""
