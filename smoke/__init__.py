"""gonogo's built-in smoke checks (stage smoke), shipped in the wheel as ``gonogo.suite.smoke``."""
