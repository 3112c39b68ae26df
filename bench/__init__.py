"""Benchmarks: each prints our figure beside a baseline and the ratio (``make bench``)."""
