"""Blue-green verification: judge the candidate against the live baseline, and watch it after promotion.

Plain modules (no pytest), each for one thing:

    stats         the statistics: Hodges-Lehmann / Mann-Whitney U, the p95 ratio, Fisher/Newcombe; one rule
    sequential    group-sequential critical values (Lan-DeMets alpha spending) for repeated looks
    looks         the sequential comparison: batches, looks, the stopping rule
    traffic       the same requests to both colours, interleaved in time, bounded in count and time
    simulate      a simulated pair of colours with a known truth (tests, benchmarks)
    compare       one look: traffic -> per-route classifications and findings
    compare_text  the comparison's table, failure lines and JSON record
    parity        status and JSON shape of the same GET on both colours, as a list of differences
    watch         the post-promotion watch: measurements on a schedule, Argo Rollouts' limits
    probe         one measurement of the watch: health, version, a sample, Prometheus
    window        the watch's rolling window, its exact tests and the whole watch's evidence
    prometheus    instant queries over the Prometheus HTTP API
    durations     ``90s`` / ``5m`` / ``1h30m`` for ``--watch`` (light: the plugin imports it)

The bounds any check can use (percentiles from order statistics, exact error-rate bounds) are in
:mod:`gonogo.stats_bounds`; the pytest side is gonogo/plugin/compare.py, parity.py and watch.py; the
plots are gonogo/reporting/charts/bluegreen.py. See docs/bluegreen.md.

Nothing is imported here, so that ``import gonogo.bluegreen.durations`` (every pytest start-up) stays
free of numpy and SciPy.
"""
