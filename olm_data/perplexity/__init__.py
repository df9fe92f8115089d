"""Perplexity scoring and sampling: a reference n-gram LM trained here, CCNet buckets, BERTIN sampling."""
