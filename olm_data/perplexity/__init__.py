"""Perplexity scoring and sampling: a reference n-gram LM trained here, CCNet buckets, BERTIN sampling.

Modules (nothing is imported here, so `olm-data --help` stays fast):
- `normalize`: CCNet's text normalization.
- `ngram`: lmplz-compatible modified Kneser-Ney estimation in numpy, ARPA output.
- `lm`: the LM folder (`train_lm`, `lm_train_stage`, `resolve_lm`, `PerplexityModel`).
- `sampling`: `PerplexityScorer`, `PerplexitySampler`, `solve_sampling`, `perplexity_stages`.
- `cli`: `olm-data lm train|score`, and `add_sampling_arguments` for pipeline files.
"""
