"""Speed benchmarks for the book's experiments (``make bench`` -> ``_build/bench.json``).

Each benchmark times the library against a reference and also checks that
both computed the same thing. Run ``python -m benchmarks`` from the repository
root; it exits non-zero when a result differs or a speed target is missed.
"""
