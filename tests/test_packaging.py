"""What `pip install -e ".[dev]"` installs: everything the tests and the benchmarks import."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


def extra(name: str, extras: dict[str, list[str]]) -> set[str]:
    """The distributions an extra installs, following `olm-data[...]` self-references."""
    names: set[str] = set()
    for req in extras[name]:
        if m := re.match(r"olm-data\[(.*)\]", req):
            for sub in m.group(1).split(","):
                names |= extra(sub.strip(), extras)
        else:
            names.add(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower())
    return names


def test_dev_extra_installs_what_the_benchmarks_need():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    # datatrove's LanguageFilter (benchmarks/common.datatrove_fineweb_filters) declares fasteners as a requirement
    assert "fasteners" in extra("dev", extras)
