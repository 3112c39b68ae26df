"""Run untrusted verification in sandbox processes with a CPU budget, so a slow one cannot starve the site.

Each web process keeps a small pool of sandbox workers (``MICROCRED_VERIFY_WORKERS``), forked
from it on first need. A worker runs only the Django-free engine; what it needs from the site
(documents from the database or the network, our keys, our status entries) it asks the web
process for over its pipe (``call(name, *args)``), so it never uses the database connection it
inherited, nor settings changed after it was forked. The web process serves those calls and
keeps a deadline on the worker's own running time (time spent serving its calls does not
count: remote fetches have their own timeouts).

Confinement of a worker: ``RLIMIT_CPU`` set before each task to the CPU time it has used plus
the task's budget (the kernel stops it when that is spent), ``RLIMIT_AS`` (address space beyond
what it inherited), no core dumps, default signal handlers, and ``PR_SET_PDEATHSIG`` so it dies
with the web process however that dies (workers are forked from one long-lived thread, since the
death signal follows the forking thread). A worker leaves through ``os._exit`` only: no atexit
hooks, no finalizers closing inherited sockets. On overrun the web process kills it and reaps
it; the pool forks a new one when next needed.

Why a pool and not a fork per verification: forking the ~140 MB web process took ~30 ms on the
2-core development VM (a bare interpreter: 0.6 ms), which alone would cap the verify API below
its 100/s target; a warm worker answers in about the time of the verification itself, and keeps
its JSON-LD and fast-path caches between tasks.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import queue
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from microcred.credentials.vc.errors import CredentialError

T = TypeVar("T")
Call = Callable[..., Any]

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
TASKS_PER_WORKER = 1000  # then a fresh fork: bounds whatever a worker accumulates
_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGALRM", "SIGXCPU")


class VerificationStopped(CredentialError):
    """The verification ran past its CPU or time budget and was stopped (or found no free worker)."""

    code = "too_slow"


class SandboxCrashed(RuntimeError):
    """A worker failed in a way that is a bug of ours, not of the credential (a 500, as in-process)."""


class _Worker:
    def __init__(self, pid: int, connection: Connection) -> None:
        self.pid = pid
        self.connection = connection
        self.tasks = 0


class SandboxPool:
    """At most ``size`` workers; a task waits for a free one up to its wall-clock budget."""

    def __init__(self, *, size: int, memory_bytes: int | None) -> None:
        self.size = max(1, size)
        self.memory_bytes = memory_bytes
        self._owner = os.getpid()
        self._closed = False
        self._idle: list[_Worker] = []
        self._started = 0
        self._free = threading.Condition()
        self._spawn_requests: queue.Queue[queue.Queue[Any]] = queue.Queue()
        self._spawner: threading.Thread | None = None

    def run(
        self, task: Callable[[Call], T], *, services: Mapping[str, Call], cpu_seconds: int, wall_seconds: float
    ) -> T:
        """``task(call)`` in a worker; ``call(name, *args)`` runs ``services[name](*args)`` here.

        A :class:`CredentialError` a service raises is raised again in the worker. Raises
        :class:`VerificationStopped` when the task exceeds ``cpu_seconds`` of CPU or
        ``wall_seconds`` of its own running time, or no worker frees up within ``wall_seconds``.
        """
        worker = self._acquire(wall_seconds)
        healthy = False
        try:
            result: T = self._drive(worker, task, services, cpu_seconds, wall_seconds)
            healthy = True
            return result
        finally:
            self._release(worker, healthy=healthy)

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when released."""
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            _stop(worker)

    # --- workers --------------------------------------------------------------------------

    def _acquire(self, wall_seconds: float) -> _Worker:
        deadline = time.monotonic() + wall_seconds
        with self._free:
            while not self._idle and self._started >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._free.wait(remaining):
                    raise VerificationStopped("the verifier is busy with other credentials; try again in a moment")
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return self._spawn()
        except BaseException:
            with self._free:
                self._started -= 1
                self._free.notify()
            raise

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        keep = healthy and worker.tasks < TASKS_PER_WORKER and os.getpid() == self._owner and not self._closed
        if not keep:
            _stop(worker)
        with self._free:
            if keep:
                self._idle.append(worker)
            else:
                self._started -= 1
            self._free.notify()

    def _spawn(self) -> _Worker:
        """Fork a worker from the spawner thread, which lives as long as this process."""
        if self._spawner is None or not self._spawner.is_alive():
            with self._free:
                if self._spawner is None or not self._spawner.is_alive():
                    self._spawner = threading.Thread(target=self._spawn_forever, name="verify-sandbox", daemon=True)
                    self._spawner.start()
        answer: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._spawn_requests.put(answer)
        worker = answer.get()
        if isinstance(worker, BaseException):
            raise worker
        assert isinstance(worker, _Worker)
        return worker

    def _spawn_forever(self) -> None:
        while True:
            answer = self._spawn_requests.get()
            try:
                answer.put(self._fork())
            except BaseException as exc:  # handed to the requesting thread, which raises it
                answer.put(exc)

    def _fork(self) -> _Worker:
        ours, theirs = Pipe(duplex=True)
        parent_pid = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; coverage cannot follow it
            ours.close()
            _worker_main(theirs, parent_pid, memory_bytes=self.memory_bytes)
        theirs.close()
        return _Worker(pid, ours)

    # --- one task -------------------------------------------------------------------------

    def _drive(
        self, worker: _Worker, task: Callable[[Call], T], services: Mapping[str, Call], cpu_seconds: int, wall: float
    ) -> T:
        worker.tasks += 1
        worker.connection.send(("task", task, cpu_seconds))
        deadline = time.monotonic() + wall
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.connection.poll(remaining):
                raise _stopped(cpu_seconds, wall)
            try:
                message = worker.connection.recv()
            except EOFError:
                status = _reap(worker)
                if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
                    raise _stopped(cpu_seconds, wall) from None
                raise SandboxCrashed(f"the verification worker ended unexpectedly (status {status})") from None
            if message[0] == "done":
                result: T = message[1]
                return result
            if message[0] == "crash":
                raise SandboxCrashed(f"verification failed in its sandbox:\n{message[1]}")
            started = time.monotonic()
            worker.connection.send(_serve(services, message[1], message[2]))
            deadline += time.monotonic() - started


def _serve(services: Mapping[str, Call], name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        return ("ok", services[name](*args))
    except CredentialError as exc:
        return ("raise", type(exc), exc.message, exc.data)


def _stopped(cpu_seconds: int, wall_seconds: float) -> VerificationStopped:
    return VerificationStopped(
        f"this credential took too long to verify (more than {cpu_seconds} s of processor time "
        f"or {wall_seconds:g} s in all); it was stopped",
        cpu_seconds=cpu_seconds,
        wall_seconds=wall_seconds,
    )


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.pid, signal.SIGKILL)
    _reap(worker)


def _reap(worker: _Worker) -> int:
    worker.connection.close()
    try:
        _, status = os.waitpid(worker.pid, 0)
    except ChildProcessError:  # already reaped
        return 0
    return status


# --- inside a worker -----------------------------------------------------------------------


def _worker_main(connection: Connection, parent_pid: int, *, memory_bytes: int | None) -> None:  # pragma: no cover
    code = 1
    try:
        _confine(parent_pid, memory_bytes=memory_bytes, keep_fd=connection.fileno())

        def call(name: str, *args: Any) -> Any:
            connection.send(("call", name, args))
            reply = connection.recv()
            if reply[0] == "raise":
                error_class, message, data = reply[1:]
                raise error_class(message, **data)
            return reply[1]

        while True:
            try:
                _, task, cpu_seconds = connection.recv()
            except EOFError:
                code = 0
                break
            _budget(cpu_seconds)
            connection.send(("done", task(call)))
    except BaseException:
        # Everything is reported to the web process, which decides; if even that fails it sees end-of-file.
        with contextlib.suppress(BaseException):
            connection.send(("crash", traceback.format_exc()))
    finally:
        os._exit(code)


def _confine(parent_pid: int, *, memory_bytes: int | None, keep_fd: int) -> None:  # pragma: no cover - in a worker
    _close_inherited_descriptors(keep_fd)
    for name in _RESET_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_bytes is not None and os.path.exists("/proc/self/statm"):
        with open("/proc/self/statm", encoding="ascii") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (inherited + memory_bytes, resource.RLIM_INFINITY))


def _close_inherited_descriptors(keep_fd: int) -> None:  # pragma: no cover - in a worker
    """Drop every descriptor the fork copied except stdio and our own pipe.

    A worker must not hold the web process's database sockets, its client connections, or
    the other workers' pipes: a copy kept open here stops a peer from ever seeing the other
    end close (a sibling worker would never get EOF, a driven subprocess never exits).
    Closing our copy sends nothing on the wire; the parent's connections are untouched.
    """
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = limit if limit != resource.RLIM_INFINITY and limit < 1 << 20 else 1 << 16
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, top)


def _budget(cpu_seconds: int) -> None:  # pragma: no cover - in a worker
    """Let the kernel stop this worker (SIGXCPU) once this task has used ``cpu_seconds`` of CPU.

    Only the soft limit moves: an unprivileged process can never raise a hard limit it lowered.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = math.ceil(usage.ru_utime + usage.ru_stime)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


# --- the pool of this process --------------------------------------------------------------

_pool: SandboxPool | None = None
_pool_lock = threading.Lock()


def pool(*, size: int, memory_bytes: int | None) -> SandboxPool:
    """This process's pool (a forked process, a web worker or a sandbox worker, starts its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or (_pool.size, _pool.memory_bytes) != (max(1, size), memory_bytes):
            if _pool is not None:
                _pool.close()
            _pool = SandboxPool(size=size, memory_bytes=memory_bytes)
        return _pool


def _forget_pool_after_fork() -> None:
    """A forked child must not use (nor stop) its parent's workers."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)
