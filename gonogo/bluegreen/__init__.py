"""Blue-green verification: judge the candidate against the live baseline, and watch it after promotion.

Plain modules (no pytest), each for one thing:

    stats        the statistics: Mann-Whitney U, Hodges-Lehmann, p95 bootstrap, Fisher/Newcombe; one rule
    traffic      the same requests to both colours, interleaved in time, bounded in count and time
    compare      traffic -> per-route classifications, findings, a table, a JSON record
    parity       status and JSON shape of the same GET on both colours, as a list of differences
    watch        the post-promotion watch: measurements on a schedule, Argo Rollouts' limits
    prometheus   instant queries over the Prometheus HTTP API
    plots        SVG: latency distributions, the watch over time
    durations    ``90s`` / ``5m`` / ``1h30m`` for ``--watch`` (light: the plugin imports it)

and ``checks``, the pytest side that the thin check files call (load/test_compare.py,
smoke/test_parity.py, load/test_watch.py). See docs/bluegreen.md.

Nothing is imported here, so that ``import gonogo.bluegreen.durations`` (every pytest start-up) stays
free of numpy and SciPy.
"""
