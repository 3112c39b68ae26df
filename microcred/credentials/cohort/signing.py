"""Signing a cohort's credentials, in the calling process or in forked worker processes.

Signing is CPU-bound Python (the GIL rules out threads), so a large cohort is signed by a
``ProcessPoolExecutor`` of forked workers while the parent writes the previous batches to the
database. The issuer's private key reaches the workers only through the fork: the parent puts
the signer state in a module global, the pool forks its workers at once (``_warm``), and the
parent drops the global again. Nothing is pickled, written to a file or put in the environment;
the key object is never serialised at all (``Ed25519PrivateKey`` cannot be pickled).

The workers never touch the database: they inherit the parent's connection socket with the
rest of its memory, leave it alone, and end with ``os._exit`` (as multiprocessing workers do),
which does not close it.

Checks. Every credential is signed with ``fastpath.sign_many``, which is byte-identical to the
full JSON-LD path by construction (``vc/fastpath.py``): one compiled template per shape, and a
cohort has at most two shapes (with and without a final score). The first credential of every
chunk is therefore checked in full: the strict OB 3.0 schema, the Data Integrity proof verified
with the *full* JSON-LD canonicalization, and the VC-JWT. A wrong template, key, verification
method or context would fail the first credential of the first chunk; what varies between the
others is string values our own code produced (ids, hashes, salts, dates, indexes).
"""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..issuing import CredentialDocuments
from ..vc import dataintegrity, fastpath
from ..vc.errors import KeyResolutionError
from ..vc.jwt import sign_vc_jwt, verify_vc_jwt
from ..vc.schema import validate_ob3_credential


@dataclass(frozen=True)
class SignerState:
    documents: CredentialDocuments
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    verification_method: str
    issuer_id: str
    issued_at: datetime


@dataclass
class SignedBatch:
    documents: list[str]  # JSON text of each signed credential (Data Integrity proof)
    tokens: list[str]  # the same credentials as VC-JWTs
    timings: dict[str, float] = field(default_factory=dict)  # seconds spent per stage


_STATE: SignerState | None = None


def sign_batch(items: list[dict[str, Any]], check_first: bool, state: SignerState | None = None) -> SignedBatch:
    """Build, sign (Data Integrity + VC-JWT) and serialise ``items`` (``CredentialDocuments.unsigned``
    keyword arguments); with ``check_first`` the first result is verified in full."""
    state = state or _STATE
    if state is None:
        raise RuntimeError("no signer state in this process")
    clock = time.perf_counter
    started = clock()
    unsigned = [state.documents.unsigned(**item) for item in items]
    built = clock()
    signed = list(
        fastpath.sign_many(
            unsigned,
            private_key=state.private_key,
            verification_method=state.verification_method,
            created=state.issued_at,
        )
    )
    for document in signed:
        # What ``dataintegrity.sign(..., proof_as_list=True)`` emits for a single proof: the
        # strict OB 3.0 schema wants ``proof`` as an array.
        document["proof"] = [document["proof"]]
    proofs_done = clock()
    tokens = [
        sign_vc_jwt(document, private_key=state.private_key, kid=state.verification_method) for document in unsigned
    ]
    tokens_done = clock()
    if check_first and signed:
        check_credential(signed[0], tokens[0], state)
    checked = clock()
    texts = [json.dumps(document, ensure_ascii=False, separators=(",", ":")) for document in signed]
    done = clock()
    return SignedBatch(
        texts,
        tokens,
        {
            "build": built - started,
            "sign": proofs_done - built,
            "jwt": tokens_done - proofs_done,
            "check": checked - tokens_done,
            "serialise": done - checked,
        },
    )


def check_credential(document: dict[str, Any], token: str, state: SignerState) -> None:
    """Every check a verifier would make of a signed credential and its VC-JWT; raises CredentialError."""

    def this_key(vm: str) -> tuple[Any, str]:
        if vm != state.verification_method:
            raise KeyResolutionError(f"unexpected verification method {vm}")
        return state.public_key, state.issuer_id

    validate_ob3_credential(document)
    dataintegrity.verify(document, resolve_key=this_key, expected_controller=state.issuer_id)
    verify_vc_jwt(token, resolve_key=lambda kid, header: this_key(kid or "")[0])


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this worker when its parent dies, however it dies (``kill -9``).

    An orphaned worker would block on the task pipe for ever (it holds the pipe's write end
    itself, so it never sees end-of-file) and keep the parent's database socket open: the
    server would then hold the dead run's open transaction, and its row locks on the status
    lists, until the orphan went, and the run's takeover would wait on them. The death signal
    is set per thread on Linux: the pool is started from the thread that runs the cohort, which
    lives as long as the pool. The ``getppid`` check covers a parent that died before ``prctl``.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        os._exit(1)


def _worker_init(parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    # Ctrl-C in the command line is the parent's to handle: it rolls back the open chunk and
    # shuts the pool down; a worker dying of it first would only obscure that.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm() -> int:
    return 0


class InlineSigner:
    """The same interface as the pool, signing in the calling process (small cohorts, web requests)."""

    workers = 0

    def __init__(self, state: SignerState) -> None:
        self.state = state

    def submit(self, items: list[dict[str, Any]], check_first: bool) -> Future[SignedBatch]:
        future: Future[SignedBatch] = Future()
        try:
            future.set_result(sign_batch(items, check_first, self.state))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class PoolSigner:
    def __init__(self, executor: ProcessPoolExecutor, workers: int) -> None:
        self.executor = executor
        self.workers = workers

    def submit(self, items: list[dict[str, Any]], check_first: bool) -> Future[SignedBatch]:
        return self.executor.submit(sign_batch, items, check_first)


def _lighten_before_fork() -> None:
    """Fork the workers from as small a parent as we can, and keep them from copying it.

    Every page the parent holds when it forks is mapped by each worker too (shared until
    written), so the process tree's summed RSS counts it once per process: with two workers
    each MB of the parent counts three times. The collector first frees what the run's set-up
    left behind (the bench's 100,000 bulk-created rows, the pending query); ``malloc_trim``
    then hands glibc's free heap back to the kernel instead of to the workers. ``gc.freeze``
    moves what survives out of the collector's sight: a worker's collections would otherwise
    write to every inherited object's header and copy the parent's pages one by one (85 MB
    of private pages per worker without it, 37 MB with it). The parent unfreezes once the
    workers are forked (``signer``). ADR 0048.
    """
    gc.collect()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None)
        if hasattr(libc, "malloc_trim"):  # glibc; musl has none and keeps little free heap
            libc.malloc_trim(0)
    gc.freeze()


@contextmanager
def signer(state: SignerState, *, workers: int) -> Iterator[InlineSigner | PoolSigner]:
    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        yield InlineSigner(state)
        return
    global _STATE
    _STATE = state
    _lighten_before_fork()
    try:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        # The first submit forks every worker (fork pools do not spawn lazily); after that the
        # parent needs the state no more.
        executor.submit(_warm).result()
    finally:
        _STATE = None
        # The workers keep the frozen objects out of their collections; the parent collects
        # its own again, so what the run frees later is not held for good.
        gc.unfreeze()
    try:
        yield PoolSigner(executor, workers)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
