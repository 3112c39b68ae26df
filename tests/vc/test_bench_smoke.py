"""The Python side of ``make bench`` in quick mode, in-process, so the benchmark cannot rot."""

from __future__ import annotations

import pytest

from bench import suite
from bench.__main__ import main

FIGURES = {
    "cohort_sign",
    "full_sign",
    "verify_warm",
    "verify_cold",
    "verify_full",
    "verify_2020_warm",
    "verify_2020_full",
    "verify_ecdsa_warm",
    "verify_ecdsa_full",
    "jwt_sign",
    "status_encode",
    "status_decode",
}


def test_quick_run_measures_every_figure() -> None:
    figures = suite.run_ours(quick=True)
    assert set(figures) == FIGURES
    assert all(value > 0 for value in figures.values())
    rows = suite.build_rows(figures, None)
    assert rows[0].figure.startswith("cohort issuing")
    assert {row.verdict for row in rows} <= {"n/a", "-", "PASS", "FAIL"}


def test_rows_compare_against_the_peer() -> None:
    ours = dict.fromkeys(FIGURES, 1000.0) | {"jwt_sign": 4000.0}
    rows = {row.figure: row for row in suite.build_rows(ours, {"sign": 50.0, "verify": 500.0})}
    cohort = rows["cohort issuing, eddsa-rdfc-2022 (fast path, warm)"]
    assert cohort.ratio == 20 and cohort.verdict == "PASS"
    assert rows["verifying, warm shapes"].verdict == "FAIL"  # 2x < 3x
    assert rows["VC-JWT signing (EdDSA)"].verdict == "FAIL"
    assert rows["verifying Ed25519Signature2020, warm shapes"].verdict == "PASS"  # same as eddsa
    peer_rows = {
        row.figure: row for row in suite.build_rows(ours, {"sign": 50.0, "verify": 500.0, "verify_2020": 250.0})
    }
    assert peer_rows["verifying Ed25519Signature2020, warm (peer: same)"].ratio == 4
    assert peer_rows["verifying Ed25519Signature2020, warm (peer: same)"].verdict == "PASS"
    assert peer_rows["verifying ecdsa-rdfc-2019 P-256, warm (peer: same)"].peer is None


def test_a_legacy_suite_slower_than_eddsa_fails_its_row() -> None:
    ours = dict.fromkeys(FIGURES, 1000.0) | {"verify_2020_full": 500.0}
    rows = {row.figure: row for row in suite.build_rows(ours, None)}
    assert rows["verifying Ed25519Signature2020, full path"].verdict == "FAIL"


def test_command_line_quick_without_peer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--no-peer", "--no-load"]) == 0
    out = capsys.readouterr().out
    assert "cohort issuing" in out and "peer: skipped" in out
