"""Runs the JavaScript reference stack in ``bench/peer`` (installing it with ``npm ci``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

PEER_DIR = Path(__file__).resolve().parent / "peer"
NODE_MODULES = PEER_DIR / "node_modules"
PEER_CPU = 1


class PeerUnavailable(RuntimeError):
    """Node/npm is missing or the peer packages cannot be installed; the reason says which."""


def ensure_installed(*, timeout: float = 300) -> None:
    """``npm ci`` from the committed lock file when ``node_modules`` is missing."""
    if shutil.which("node") is None:
        raise PeerUnavailable("node is not installed")
    if all((NODE_MODULES / name / "package.json").exists() for name in _dependencies()):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm is not installed")
    try:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEER_DIR,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.CalledProcessError as exc:
        raise PeerUnavailable(f"npm ci failed: {exc.stderr.strip()[-500:]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise PeerUnavailable(f"npm ci took longer than {timeout:.0f} s") from exc


def _dependencies() -> list[str]:
    # Every pinned package, so that a node_modules from before a package was added reinstalls.
    manifest = json.loads((PEER_DIR / "package.json").read_text("utf-8"))
    return list(manifest.get("dependencies", {}))


def _pinned(command: list[str]) -> list[str]:
    # One core for the peer too, and not ours (we pin ourselves to CPU 0).
    taskset = shutil.which("taskset")
    if taskset is not None and hasattr(os, "sched_getaffinity") and PEER_CPU in os.sched_getaffinity(0):
        return [taskset, "-c", str(PEER_CPU), *command]
    return command


def run_script(script: str, payload: dict[str, Any], *, timeout: float = 600, pin: bool = False) -> dict[str, Any]:
    """Run ``bench/peer/<script>`` with ``payload`` as JSON on stdin; its JSON output."""
    ensure_installed()
    command = ["node", str(PEER_DIR / script)]
    completed = subprocess.run(
        _pinned(command) if pin else command,
        cwd=PEER_DIR,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise PeerUnavailable(f"{script} failed: {completed.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result
