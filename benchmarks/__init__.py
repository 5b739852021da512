"""Benchmarks of pulumi-voiceos against the Pulumi engine's floor; run with ``make bench``."""
