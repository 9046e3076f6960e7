"""Benchmarks of madoguchi (`make bench`); see run.py."""
