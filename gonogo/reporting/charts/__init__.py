"""gonogo's charts, as self-contained SVG (see ``gonogo.reporting.svg`` for what they share):

latency     the load check: p50 and p95 over time, errors as bars, the p95 limit, the warm-up
bluegreen   baseline vs candidate latency distributions; the post-promotion watch over time
"""
