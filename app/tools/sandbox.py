"""`python`: a chain's code block run in a bubblewrap sandbox, one throw-away process tree a call.

The sandbox sees a read-only /usr (the interpreter and its standard library), a small tmpfs as
/tmp and its working directory, no network, no other process (a pid namespace of its own), no
/etc, no home and none of the service's files. It runs as an unprivileged user (one of its own per
slot, when the service runs as root), under resource limits set before it starts (`prlimit`): CPU
seconds, address space, file size, open files and processes (the process limit counts the
sandbox user's processes, so it bounds a fork bomb). A wall-clock timer kills the whole process
group; stdout and stderr are read together up to a cap, and a call that writes more is killed.
Every way out of the limits is a `ToolResult` for the chain to read, never an exception.

The code runs in a process tree of its own, never in the service's interpreter; bubblewrap,
util-linux's `prlimit` and `setpriv` and the interpreter must be on the machine (`BON_TOOLS_*`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from app.tools.calls import ToolResult

NAME = "python"
# The sandbox users, when the service runs as root: a uid of their own for each slot of each
# service process, so that the process limit one program runs into (a fork bomb) is no other's.
SANDBOX_UIDS = 1_000_000
UIDS_PER_PROCESS = 64


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    wall_s: float = 10.0
    cpu_s: int = 5
    memory_bytes: int = 512 * 2**20
    file_bytes: int = 16 * 2**20  # the largest file it may write (RLIMIT_FSIZE)
    tmp_bytes: int = 64 * 2**20  # its tmpfs, all files together
    processes: int = 16
    open_files: int = 64
    output_bytes: int = 8192
    code_chars: int = 16384


class SandboxUnavailable(RuntimeError):
    """The machine lacks what the sandbox needs (bubblewrap, prlimit, setpriv, the interpreter)."""


class Sandbox:
    def __init__(self, python: str, limits: SandboxLimits = SandboxLimits(), concurrency: int = 2) -> None:
        self._python, self._limits = python, limits
        first_uid = SANDBOX_UIDS + (os.getpid() % 4096) * UIDS_PER_PROCESS
        self._free_uids: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(min(concurrency, UIDS_PER_PROCESS)):
            self._free_uids.put_nowait(first_uid + slot)
        self.running: set[int] = set()  # the process groups of calls not yet reaped

    @staticmethod
    def missing(python: str) -> list[str]:
        """What of the sandbox's needs this machine lacks (empty: it can run)."""
        tools = [name for name in ("bwrap", "prlimit", "setpriv") if shutil.which(name) is None]
        return tools + ([python] if not os.access(python, os.X_OK) else [])

    async def run(self, code: str) -> ToolResult:
        """Run `code` with the interpreter; its output (stdout and stderr as written), how it ended."""
        if len(code) > self._limits.code_chars:
            return ToolResult(f"the code has {len(code)} characters; at most {self._limits.code_chars}", "refused")
        uid = await self._free_uids.get()
        try:
            launch = _Launch(self._argv(uid), code, self._limits, self.running)
            try:
                return await asyncio.to_thread(launch.run)
            except asyncio.CancelledError:  # the chain was stopped: nothing of its call may live on
                launch.kill()
                raise
        finally:
            self._free_uids.put_nowait(uid)

    def _argv(self, uid: int) -> list[str]:
        limits = self._limits
        prlimit = [
            "prlimit",
            f"--cpu={limits.cpu_s}:{limits.cpu_s + 1}",  # SIGXCPU first, SIGKILL a second later
            f"--as={limits.memory_bytes}",
            f"--fsize={limits.file_bytes}",
            f"--nofile={limits.open_files}",
            f"--nproc={self._process_limit()}",
            "--core=0",
            "--",
        ]
        user = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        jail = [
            "bwrap",
            "--ro-bind", "/usr", "/usr",
            *_merged_usr_links(),
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
            "--chdir", "/tmp",
            "--unshare-all",  # network, pids, ipc, uts, cgroups, and a user namespace
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",  # the code is the namespace's init: its exit ends every process it left
            "--clearenv",
            "--setenv", "HOME", "/tmp",
            "--setenv", "PATH", "/usr/bin",
            "--",
        ]  # fmt: skip
        return [*prlimit, *(user if os.geteuid() == 0 else []), *jail, self._python, "-I", "-"]

    def _process_limit(self) -> int:
        """RLIMIT_NPROC counts every process of the real user: when the service cannot drop to a
        user of the sandbox's own, its own processes and threads are counted in."""
        if os.geteuid() == 0:
            return self._limits.processes
        return _tasks_of(os.getuid()) + self._limits.processes


def _merged_usr_links() -> list[str]:
    """/bin, /lib and the like as the host has them: links into /usr on a merged-/usr system."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _tasks_of(uid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(list((entry / "task").iterdir()))
            except OSError:
                continue
    return count


class _Launch:
    """One call's process tree, run to its end in a thread (its CPU time is what `wait4` reports
    for the tree the sandbox waited for)."""

    def __init__(self, argv: list[str], code: str, limits: SandboxLimits, running: set[int]) -> None:
        self._argv, self._code, self._limits, self._running = argv, code, limits, running
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._killed_for: str | None = None

    def run(self) -> ToolResult:
        limits = self._limits
        with self._lock:
            self._proc = proc = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed whole
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            )
            self._running.add(proc.pid)
        overtime = f"killed after {limits.wall_s:g} s of wall-clock time"
        timer = threading.Timer(limits.wall_s, self.kill, args=(overtime,))
        timer.start()
        try:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(self._code.encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass  # it ended before reading its code; its status says why
            output = proc.stdout.read(limits.output_bytes + 1)
            if len(output) > limits.output_bytes:
                self.kill(f"killed after writing more than {limits.output_bytes} bytes")
                output = output[: limits.output_bytes]
            proc.stdout.close()
            _, status, usage = os.wait4(proc.pid, 0)
            with self._lock:
                proc.returncode = os.waitstatus_to_exitcode(status)
                self._running.discard(proc.pid)
        finally:
            timer.cancel()
        return self._result(output.decode(errors="replace"), proc.returncode, (usage.ru_utime + usage.ru_stime) * 1000)

    def _result(self, output: str, code: int, cpu_ms: float) -> ToolResult:
        if self._killed_for is not None:
            return ToolResult(f"{output}\n[{self._killed_for}]".lstrip("\n"), "limit", cpu_ms, code)
        if code > 128:  # bubblewrap exits 128 + n for a command killed by signal n
            code = -(code - 128)
        if code < 0:
            name = signal.Signals(-code).name
            cpu_spent = cpu_ms >= self._limits.cpu_s * 1000
            why = "its CPU time limit" if -code == signal.SIGXCPU or cpu_spent else "a signal"
            return ToolResult(f"{output}\n[killed by {name}: {why}]".lstrip("\n"), "limit", cpu_ms, code)
        return ToolResult(output, "ok" if code == 0 else "error", cpu_ms, code)

    def kill(self, why: str = "stopped") -> None:
        with self._lock:
            proc = self._proc
            if proc is None or proc.returncode is not None:
                return
            self._killed_for = self._killed_for or why
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.killpg(proc.pid, signal.SIGKILL)
