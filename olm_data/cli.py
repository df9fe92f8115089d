"""The `olm-data` command line: `run` a pipeline file, plus the commands each feature module registers.

Every feature module with commands defines `add_cli(subparsers)`; this file only collects them. Heavy
imports (torch, transformers) stay inside the command functions so `olm-data --help` is instant.
Errors a user can fix print one line and exit with code 2; there is no traceback for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from olm_data import __version__
from olm_data.errors import EmptyOutputError, TaskFailedError, UsageError

# Modules that register subcommands, in the order they appear in `olm-data --help`.
COMMAND_MODULES = [
    "olm_data.trainer.tokenizer",
    "olm_data.trainer.cli",
    "olm_data.trainer.evaluate",
    "olm_data.dedup.cli",
    "olm_data.perplexity.cli",
    "olm_data.manifest",
    "olm_data.hub",
    "olm_data.report",
]


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (plus a hint) instead of the usage block, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser(pipeline_module=None) -> argparse.ArgumentParser:
    from olm_data.run import add_run_arguments

    parser = OneLineErrorParser(
        prog="olm-data",
        description="Build fresh, clean web corpora from Common Crawl and Wikipedia; train and evaluate tiny BERTs.",
    )
    parser.add_argument("--version", action="version", version=f"olm-data {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)
    run = sub.add_parser(
        "run",
        help="run a pipeline file (pipelines/*.py)",
        description="Run a pipeline file's stages here (--executor local) or as SLURM array jobs (--executor slurm). "
        "Every run ends with OUT/stats.json, OUT/manifest.json and OUT/report.html; rerunning the same command "
        "resumes it. The pipeline's own flags are listed below when a pipeline file is given: "
        "olm-data run pipelines/cc_2022_49.py --help",
    )
    add_run_arguments(run)
    if pipeline_module is not None and callable(getattr(pipeline_module, "add_arguments", None)):
        pipeline_module.add_arguments(run.add_argument_group(f"options of {pipeline_module.__name__[13:]}"))
    run.set_defaults(func=None)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # feature not part of this build
                continue
            raise
        module.add_cli(sub)
    return parser


def _pipeline_path(argv: Sequence[str]) -> str | None:
    """The pipeline file named after `run`, found before parsing so its own flags can join the parser.

    Options may come before or after it (`run --output X pipelines/cc_2022_49.py`): the values of the common
    options are skipped, and of what is left a `.py` file wins (a pipeline's own options are not known yet).
    """
    if not argv or argv[0] != "run":
        return None
    from olm_data.run import _common_actions

    takes_values = {o: a.nargs for a in _common_actions() if a.nargs != 0 for o in a.option_strings}
    candidates, args = [], list(argv[1:])
    while args:
        arg = args.pop(0)
        if arg == "--":
            candidates += args
            break
        if arg.startswith("-"):
            name = arg.split("=", 1)[0]
            if name in takes_values and "=" not in arg:
                if takes_values[name] in ("+", "*"):
                    while args and not args[0].startswith("-") and not args[0].endswith(".py"):
                        args.pop(0)
                elif args:
                    args.pop(0)
            continue
        candidates.append(arg)
    return next((c for c in candidates if c.endswith(".py")), candidates[0] if candidates else None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        pipeline_module = None
        if path := _pipeline_path(argv):
            from olm_data.runtime import load_pipeline

            pipeline_module = load_pipeline(path)
        parser = build_parser(pipeline_module)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        args.argv = ["olm-data", *argv]  # the command as typed, for manifest.json
        if args.command == "run":
            from olm_data.locking import release_locks
            from olm_data.run import main_run

            try:
                return main_run(args, pipeline_module)
            finally:
                release_locks()  # the output is free once the run returns, also to a later run in this process
        return int(args.func(args) or 0)
    except UsageError as e:
        sys.stderr.write(f"olm-data: error: {e}\n")
        return 2
    except EmptyOutputError as e:
        sys.stderr.write(f"olm-data: failed: {e}\n")
        return 1
    except TaskFailedError as e:
        sys.stderr.write("".join(f"olm-data: {line}\n" for line in str(e).splitlines()))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("olm-data: interrupted; rerun the same command to resume\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
