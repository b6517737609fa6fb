"""Data generator and benchmarks (``manage.py gen_data``, ``make bench``); see docs/performance.md."""
