"""Deduplication: exact (URL, normalized text, OLM's 100-byte prefix/suffix), OLM's exact-substring dedup on
suffix arrays, MinHash near-dedup, cross-snapshot indexes.

Pipeline files splice in the stage lists:

    from olm_data.dedup import exact_dedup_stages, minhash_stages
    stages = [*filter_stages,
              *exact_dedup_stages(run.out("filtered"), run.out("exact"), run.work("dedup"), tasks=N),
              *minhash_stages(run.out("exact"), run.out("deduped"), run.work("dedup"), tasks=N,
                              index_folders=previous_indexes, snapshot="CC-MAIN-2022-49")]

and after publishing, `build_index` / `index_stages` (or `olm-data dedup index`) make the index the next
snapshot dedups against. Decontamination against evaluation sets lives in `olm_data.filters.decontaminate`.
"""

import importlib

# Lazy exports (PEP 562): `olm-data --help` imports the CLI module without numpy/datatrove.
_EXPORTS = {
    "exact_dedup_stages": "olm_data.dedup.exact",
    "MinhashIndex": "olm_data.dedup.store",
    "build_index": "olm_data.dedup.index",
    "index_stages": "olm_data.dedup.index",
    "minhash_stages": "olm_data.dedup.minhash",
    "read_report": "olm_data.dedup.minhash",
    "substring_dedup_stages": "olm_data.dedup.substring",
    "MinHasher": "olm_data.dedup.signatures",
    "MinhashConfig": "olm_data.dedup.signatures",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
