"""The scale benchmark (benchmarks/scale.py) runs: its in-process part, on a tiny
edition with one request per endpoint. Its figures are the README's, not asserted."""

from benchmarks import scale


def test_the_scale_benchmark_measures_every_endpoint_and_prints_markdown(home_page):
    edition = scale.build_grid(home_page, 2030, days=2, sessions_per_day=2, venues=2)

    costs = scale.measure_edition(edition, requests=1)

    assert list(costs) == list(scale.endpoints(edition))
    for name, cost in costs.items():
        assert cost.queries > 0, name
        assert cost.size > cost.gzip_size > 0, name
        assert len(cost.cpu_ms) == 1, name
        assert cost.median > 0, name
    # Paste-ready markdown: a row per endpoint, a column per scale.
    tables = scale.in_process_tables({"tiny": costs, "again": costs})

    assert tables.count("| endpoint | tiny | again |\n|---|---:|---:|") == 3
    for name, cost in costs.items():
        assert f"| {name} | {cost.queries} | {cost.queries} |" in tables


def test_the_memory_mix_covers_every_endpoint_and_day(home_page):
    edition = scale.build_grid(home_page, 2030, days=3, sessions_per_day=2, venues=2)

    mix = scale.memory_mix(edition)

    assert set(scale.endpoints(edition).values()) <= set(mix)
    assert len([path for path in mix if path.endswith("/calendar.ics")]) >= 3
