"""``python -m bench``: our credential figures beside the JavaScript reference stack.

Ours runs pinned to one core (CPU 0); the peer (Digital Bazaar's ``@digitalbazaar/vc``
with the eddsa-rdfc-2022 cryptosuite, ``bench/peer``) runs afterwards, pinned to one
other core with ``taskset``, on the same ~3 KB OB 3.0 credentials and the same bundled
contexts. ``--quick`` is a smoke run; ``--no-peer`` skips Node.

Then (not pinned: it uses every core) the cohort bench issues ``--cohort N`` credentials end
to end on a PostgreSQL database of its own (``bench/cohort.py``); ``--only cohort`` or
``--only suite`` runs one of the two.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import cohort, peer
from .suite import Row, print_table, run_ours, run_peer


def _pin_to_one_core() -> tuple[str, set[int] | None]:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)", None
    allowed = os.sched_getaffinity(0)
    cpu = 0 if 0 in allowed else min(allowed)
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}", allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run with small counts")
    parser.add_argument("--no-peer", action="store_true", help="do not run the JavaScript reference stack")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=("suite", "cohort"), help="run only the signing suite or the cohort bench")
    parser.add_argument(
        "--cohort", type=int, metavar="N", help="credentials the cohort bench issues (default 100000; 2000 quick)"
    )
    parser.add_argument("--workers", type=int, metavar="W", help="signing processes of the cohort bench")
    args = parser.parse_args(argv)
    missed: list[str] = []
    if args.only != "cohort":
        missed += _suite(args)
    if args.only != "suite":
        missed += _cohort(args)
    return 1 if args.strict and missed else 0


def _cohort(args: argparse.Namespace) -> list[str]:
    count = args.cohort if args.cohort is not None else (2000 if args.quick else 100_000)
    if count <= 0:
        return []
    print(f"\nCohort bench: {count:,} credentials end to end")
    try:
        figures = cohort.run_cohort(count, workers=args.workers, progress=print, bar=True)
    except cohort.CohortUnavailable as exc:
        print(f"cohort: skipped ({exc})")
        return []
    cohort.print_figures(figures)
    return [
        name
        for name, verdict in (("cohort time", figures.time_verdict), ("cohort memory", figures.memory_verdict))
        if verdict == "FAIL"
    ]


def _suite(args: argparse.Namespace) -> list[str]:

    pinned, previous = _pin_to_one_core()
    print(f"Microcred credential benchmarks ({'quick' if args.quick else 'full'} run); ours {pinned}")
    try:
        ours = run_ours(quick=args.quick, progress=print)
    finally:
        if previous is not None:  # main() also runs in-process (the smoke test)
            os.sched_setaffinity(0, previous)
    peer_figures = None
    if args.no_peer:
        print("peer: skipped (--no-peer)")
    else:
        try:
            peer_figures = run_peer(quick=args.quick, progress=print)
        except peer.PeerUnavailable as exc:
            print(f"peer: unavailable ({exc}); printing our figures only")
    rows: list[Row] = print_table(ours, peer_figures)
    return [row.figure for row in rows if row.verdict == "FAIL"]


if __name__ == "__main__":
    sys.exit(main())
