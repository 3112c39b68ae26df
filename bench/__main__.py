"""``python -m bench``: our credential figures beside the JavaScript reference stack.

Ours runs pinned to one core (CPU 0); the peer (Digital Bazaar's ``@digitalbazaar/vc``
with the eddsa-rdfc-2022 cryptosuite, ``bench/peer``) runs afterwards, pinned to one
other core with ``taskset``, on the same ~3 KB OB 3.0 credentials and the same bundled
contexts. ``--quick`` is a smoke run; ``--no-peer`` skips Node.

Then (not pinned: it uses every core) the cohort bench issues ``--cohort N`` credentials end
to end on a PostgreSQL database of its own (``bench/cohort.py``), and the load bench serves a
demo site with gunicorn on loopback and prints each endpoint's rate beside ``/healthz``'s
(``bench/load.py``; ``--big`` adds catalog search over 100,000 offers on PostgreSQL).
``--only suite|cohort|load|grading`` runs one of them. The grading bench (``bench/grading.py``)
grades ``--attempts N`` submitted attempts of a 20-question quiz of every auto-graded kind on one core.
The pathways bench (``bench/pathways.py``, ``--only pathways``) plans ``--plans N`` learning paths
over 50,000 generated micro-credentials at ESCO scale: planning time, plan quality against the
exact optimum, and a naive set cover beside it.
The matching bench (``bench/matching.py``, ``--only matching``) matches phrases and extracts the
skills of ``--postings N`` job postings against all 13,939 ESCO skills: precision, recall and F1
on a labelled set built from the ESCO wheels, and postings per second per core.
The quiz-page bench (``bench/quiz_page.py``, ``--only quizpage``) renders a learner's page of a quiz
in progress ``--renders N`` times and prints the median server time (target under 50 ms).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

# Each bench is imported where it runs, not here: the cohort bench measures the memory of the
# process that issues, and what the other benches load (numpy, HiGHS, rapidfuzz, the JSON-LD
# stack) is not the issuing path's.


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
    parser.add_argument(
        "--only",
        choices=("suite", "cohort", "load", "grading", "quizpage", "pathways", "matching"),
        help="run only one of the benches",
    )
    parser.add_argument(
        "--attempts", type=int, metavar="N", help="quiz attempts the grading bench grades (default 10000; 1000 quick)"
    )
    parser.add_argument(
        "--renders", type=int, metavar="N", help="renders of the quiz-page bench (default 200; 50 quick)"
    )
    parser.add_argument(
        "--cohort", type=int, metavar="N", help="credentials the cohort bench issues (default 100000; 2000 quick)"
    )
    parser.add_argument("--workers", type=int, metavar="W", help="signing processes of the cohort bench")
    parser.add_argument(
        "--postings", type=int, metavar="N", help="job postings of the matching bench (default 1000; 200 quick)"
    )
    parser.add_argument(
        "--plans", type=int, metavar="N", help="learning paths the pathways bench plans (default 300; 40 quick)"
    )
    parser.add_argument(
        "--big", action="store_true", help="load bench: also search 100,000 micro-credentials on PostgreSQL"
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load bench (it starts gunicorn)")
    args = parser.parse_args(argv)
    missed: list[str] = []
    if args.only in (None, "suite"):
        missed += _suite(args)
    if args.only in (None, "grading"):
        missed += _grading(args)
    if args.only in (None, "pathways"):
        missed += _pathways(args)
    if args.only in (None, "matching"):
        missed += _matching(args)
    if args.only == "quizpage":
        # Its own Django set-up (an in-memory database), so it runs alone, as the cohort bench does.
        missed += _quiz_page(args)
    elif args.only is None:
        missed += _quiz_page_apart(args)
    if args.only == "cohort":
        missed += _cohort(args)
    elif args.only is None:
        missed += _cohort_apart(args)
    if args.only == "load" or (args.only is None and not args.no_load):
        missed += _load(args)
    return 1 if args.strict and missed else 0


def _load(args: argparse.Namespace) -> list[str]:
    from . import load

    print("\nLoad bench: gunicorn on loopback, bounded (" + ("1 s" if args.quick else "5 s") + " per endpoint)")
    try:
        figures = load.run_load(quick=args.quick, big=args.big, progress=print)
    except load.LoadUnavailable as exc:
        print(f"load: skipped ({exc})")
        return []
    load.print_figures(figures)
    return [target for target, _, verdict in figures.verdicts() if verdict != "PASS"]


def _grading(args: argparse.Namespace) -> list[str]:
    from . import grading

    count = args.attempts if args.attempts is not None else (1000 if args.quick else 10_000)
    print(f"\nGrading bench: {count:,} submitted attempts of a 20-question mixed-kind quiz, one core")
    figures = grading.run_grading(count)
    grading.print_figures(figures)
    return [] if figures.verdict == "PASS" else ["quiz grading rate"]


def _pathways(args: argparse.Namespace) -> list[str]:
    from . import pathways as pathways_bench

    size = pathways_bench.Size.for_run(quick=args.quick, plans=args.plans)
    print(f"\nPathways bench: {size.plans} learning paths over {size.offers:,} generated micro-credentials")
    figures = pathways_bench.run_pathways(size, progress=print)
    pathways_bench.print_figures(figures)
    return [name for name, verdict in figures.verdicts() if verdict != "PASS"]


def _matching(args: argparse.Namespace) -> list[str]:
    from . import matching

    postings = args.postings if args.postings is not None else (200 if args.quick else 1000)
    print(f"\nMatching bench: free text to ESCO skills, {postings:,} job postings, one core")
    previous = matching.pin_to_one_core()
    try:
        figures = matching.run_matching(postings=postings, perturbed=postings * 2, progress=print)
    except matching.MatchingDataMissing as exc:
        print(f"matching: skipped ({exc})")
        return []
    finally:
        if previous is not None:  # main() also runs in-process (the smoke tests)
            os.sched_setaffinity(0, previous)
    matching.print_figures(figures)
    return [] if figures.verdict == "PASS" else ["skill extraction rate"]


def _quiz_page(args: argparse.Namespace) -> list[str]:
    from . import quiz_page

    renders = args.renders if args.renders is not None else (50 if args.quick else 200)
    print(f"\nQuiz page bench: {renders} renders of a quiz in progress (20 questions), server time")
    try:
        figures = quiz_page.run_quiz_page(renders, progress=print)
    except quiz_page.QuizPageUnavailable as exc:
        print(f"quizpage: skipped ({exc})")
        return []
    quiz_page.print_figures(figures)
    return [] if figures.verdict == "PASS" else ["quiz page render time"]


def _quiz_page_apart(args: argparse.Namespace) -> list[str]:
    """The quiz-page bench in a process of its own (it sets Django up its own way)."""
    command = [sys.executable, "-m", "bench", "--only", "quizpage", "--strict"] + (["--quick"] if args.quick else [])
    return [] if subprocess.run(command, check=False).returncode == 0 else ["quiz page render time"]


def _cohort_apart(args: argparse.Namespace) -> list[str]:
    """The cohort bench in a process of its own: its memory figure is the issuing process tree's,
    not what the benches before it left in this one."""
    command = [sys.executable, "-m", "bench", "--only", "cohort", "--strict"] + (["--quick"] if args.quick else [])
    command += [f"--cohort={args.cohort}"] if args.cohort is not None else []
    command += [f"--workers={args.workers}"] if args.workers is not None else []
    if subprocess.run(command, check=False).returncode == 0:
        return []
    return ["cohort time or memory (see above)"]


def _cohort(args: argparse.Namespace) -> list[str]:
    from . import cohort

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
    from . import peer
    from .suite import Row, print_table, run_ours, run_peer

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
