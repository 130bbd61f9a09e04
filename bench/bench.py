"""Zero's benchmark: the same workloads on the bare disk, on bindfs over it, and on Zero.

Systems (one column each):
  native      the disk itself (a directory on it), the floor every FUSE filesystem pays on top of
  bindfs      `bindfs -o big_writes` over the same disk, default caching: the FUSE reference
  zero        `zero-cli mount`, as a user runs it (kernel passthrough where it can, e.g. as root)
  zero-nopt   `zero-cli mount --no-passthrough` (ZERO_VARIANTS below: extra mount arguments)
  zero-noring `zero-cli mount --no-io-uring`: requests on /dev/fuse, not over io_uring
As root the bench turns on FUSE over io_uring (/sys/module/fuse/parameters/enable_uring) for
its run and restores the setting at the end, so zero and zero-nopt take requests over io_uring.
With --loops single,multi every Zero variant runs once per libfuse request loop (zero-multi, ...).
A variant whose mount says "Unknown option" is skipped with one line saying so.

Rows (--only NAME,...): sequential, small, tar, git, parallel, tiering; see ROWS. Each round
runs every row on every system, one after the other (the order of the systems turns each
round), each row on a fresh mount; a figure is the median of --runs rounds. Caches are dropped
(/proc/sys/vm/drop_caches, as root) where a row says cold. With --warm each row runs twice on one
mount and only the second run counts: the steady state of a mount in use, where a fresh mount's
figures also carry the JVM compiling Zero's hot code.

For each FUSE daemon the bench also reads its CPU time (utime + stime in /proc/PID/stat, all its
threads) before and after each measured step, and prints it per operation: per MiB for the
sequential rows, per file or tar entry for the others. The resolution is one clock tick (10 ms),
so a step of few operations reads coarsely; work a daemon does after the step returns (e.g. a
delete finished in the background) is not counted. For Zero it also gives the CPU net of the
JVM's JIT compiler threads, which compile the hot code once per mount (every row mounts anew). Zero mounts with uploads held off for an hour
(uploadDelaySeconds: 3600), so no step pays for uploading the files of an earlier one.

The tiering row (--only tiering) measures Zero alone, through the real CLI, against a
local-directory remote and the B2 emulator on loopback: upload by `zero-cli tier --once`, then
recall and first byte of the evicted file on fresh mounts, each beside its target.
"""
import argparse
import contextlib
import multiprocessing
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20
SMALL_FILES = 10_000
SMALL_SIZE = 4096
PARALLEL_PROCESSES, PARALLEL_FILES = 4, 2_500
MOUNT_TIMEOUT = 60  # seconds; a JVM on a busy 2-core machine can take a while

# Zero runs as the zero-cli launcher runs it: with the JVM options of cli/jvm.options.
JAVA = ["java", "@" + str(Path(__file__).resolve().parent.parent / "cli" / "jvm.options")]

# Zero's variants: name suffix -> extra arguments to `zero-cli mount`.
ZERO_VARIANTS = {
    "": [],
    "-nopt": ["--no-passthrough"],
    "-noring": ["--no-io-uring"],
}


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split(" ")[4] == str(path) for line in f)


def wait_until(predicate, what, timeout=30):
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.05)


def drop_caches():
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        pass  # not root: reads may come from the page cache for every target alike


def log_tail(path, lines=15):
    try:
        return "".join(Path(path).read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


# ---- daemon processes and their CPU time ------------------------------------------------------

def cpu_seconds(pid):
    """utime + stime of a process (fields 14 and 15 of /proc/PID/stat, every thread's), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()  # fields[0] is field 3 (the name may hold spaces)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compiler_seconds(pid):
    """utime + stime of the JVM's JIT compiler threads ("C1/C2 CompilerThread"); 0 for a C daemon.

    A JVM compiles its hot code in the first minutes of a mount, on threads of its own: that is
    a one-time cost per mount, which a fresh mount per row charges to the first rows that run
    the code. A compiler thread that ends takes its time out of this sum (not out of the
    process's), so the CPU net of the JIT errs high, never low."""
    total = 0
    for stat in Path("/proc/%d/task" % pid).glob("*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the thread ended
        name, fields = text[text.index("(") + 1:text.rindex(")")], text.rsplit(")", 1)[1].split()
        if "CompilerThre" in name:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def serves(pid, mnt):
    """True if the process has the mountpoint on its command line and /dev/fuse open."""
    try:
        argv = Path("/proc/%d/cmdline" % pid).read_bytes().split(b"\0")
        if str(mnt).encode() not in argv:
            return False
        fds = Path("/proc/%d/fd" % pid)
        return any(os.readlink(fd) == "/dev/fuse" for fd in fds.iterdir())
    except OSError:
        return False


def serving_pid(mnt, launched):
    """The PID of the daemon serving mnt: the launched process itself, or one of its children."""
    candidates = [launched]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == launched:
                candidates.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    for pid in candidates:
        if serves(pid, mnt):
            return pid
    raise RuntimeError("no process among %s serves %s (mountpoint in argv and /dev/fuse open)" % (candidates, mnt))


class MountFailed(RuntimeError):
    def __init__(self, what, code, output):
        super().__init__("%s exited with %d before mounting:\n%s" % (what, code, output))
        self.output = output


class FuseProcess:
    """A FUSE daemon this bench runs in the foreground: launch() mounts, stop() unmounts, kill() cleans up."""

    def __init__(self, mnt, log_path):
        self.mnt, self.log_path = mnt, log_path
        self.process = None
        self.log = None
        self.pid = None  # the process serving the mount, checked after each mount
        self.what = "FUSE daemon"

    def launch(self, argv, what):
        self.what = what
        self.log = open(self.log_path, "a")
        offset = self.log.tell()
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_until(lambda: mounted(self.mnt) or self.process.poll() is not None, what + " mount", MOUNT_TIMEOUT)
        if self.process.poll() is not None:
            code = self.process.returncode
            self.process = None
            self.log.close()
            self.log = None
            with open(self.log_path, errors="replace") as f:
                f.seek(offset)
                raise MountFailed(what, code, f.read()[-4000:])
        self.pid = serving_pid(self.mnt, self.process.pid)

    def stop(self):
        """Unmounts and waits for the daemon; raises if it did not exit cleanly."""
        try:
            if mounted(self.mnt):
                for attempt in range(20):  # EBUSY right after a close is possible; retry briefly
                    if subprocess.run(["fusermount", "-u", str(self.mnt)]).returncode == 0:
                        break
                    time.sleep(0.25)
                else:
                    raise RuntimeError("fusermount -u %s keeps failing" % self.mnt)
            if self.process is not None:
                code = self.process.wait(timeout=120)
                if code != 0:
                    raise RuntimeError("%s exited with %d:\n%s" % (self.what, code, log_tail(self.log_path)))
        finally:
            self.kill()

    def kill(self):
        """Last resort, for cleanup after a failure: lazy unmount, then SIGTERM/SIGKILL by PID."""
        if mounted(self.mnt):
            subprocess.run(["fusermount", "-u", str(self.mnt)])
            if mounted(self.mnt):
                subprocess.run(["fusermount", "-uz", str(self.mnt)])
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.terminate()
                    try:
                        self.process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        self.process.kill()
                        self.process.wait()
            self.process = None
        self.pid = None
        if self.log is not None:
            self.log.close()
            self.log = None


# ---- the systems measured ---------------------------------------------------------------------

class Native:
    """The disk itself, as the floor every FUSE filesystem pays on top of."""
    fuse = False

    def __init__(self, work, name="native"):
        self.name = name
        self.root = work / name
        self.root.mkdir(parents=True, exist_ok=True)

    def start(self):
        return self.root

    def stop(self):
        pass

    def kill(self):
        pass

    def daemon_pid(self):
        return None


class Bindfs(Native):
    """bindfs as it comes (in the foreground, so that its PID is ours), or with attr_timeout=0."""
    fuse = True

    def __init__(self, work, attr_timeout_zero=False):
        name = "bindfs-at0" if attr_timeout_zero else "bindfs"
        super().__init__(work, name + "-backing")
        self.name = name
        self.options = "big_writes,attr_timeout=0" if attr_timeout_zero else "big_writes"
        self.mnt = work / (self.name + "-mnt")
        self.mnt.mkdir(parents=True, exist_ok=True)
        self.daemon = FuseProcess(self.mnt, work / (self.name + ".log"))

    def start(self):
        self.daemon.launch(["bindfs", "-f", "-o", self.options, str(self.root), str(self.mnt)], "bindfs")
        return self.mnt

    def stop(self):
        self.daemon.stop()

    def kill(self):
        self.daemon.kill()

    def daemon_pid(self):
        return self.daemon.pid


class VariantUnsupported(Exception):
    pass


class Zero:
    """`zero-cli mount` (java @cli/jvm.options -jar, so the process launched is the JVM serving the mount)."""
    fuse = True

    def __init__(self, work, jar, loop, suffix=""):
        self.name = ("zero" if loop == "single" else "zero-" + loop) + suffix
        self.jar, self.loop, self.extra = jar, loop, ZERO_VARIANTS[suffix]
        self.mnt = work / (self.name + "-mnt")
        self.cache = work / (self.name + "-cache")
        # Uploads wait an hour: Zero defers them (uploadDelaySeconds, 10 s by default) and bindfs
        # has nothing like them, so with the default they would land in whichever later step
        # runs 10 s on and count as its CPU. The tiering row measures upload on its own.
        self.config = work / "zero-config.yml"
        self.config.write_text("uploadDelaySeconds: 3600\n")
        self.mnt.mkdir(parents=True, exist_ok=True)
        self.daemon = FuseProcess(self.mnt, work / (self.name + ".log"))

    def start(self):
        argv = [*JAVA, "-jar", self.jar, "mount", "--config", str(self.config), "--fuse-loop", self.loop,
                *self.extra, str(self.mnt), str(self.cache)]
        try:
            self.daemon.launch(argv, "zero-cli mount")
        except MountFailed as e:
            unknown = re.search(r"Unknown option.*", e.output)
            if unknown:
                raise VariantUnsupported("%s: skipped, zero-cli mount %s says: %s"
                                         % (self.name, " ".join(self.extra), unknown.group(0))) from None
            raise
        return self.mnt

    def stop(self):
        self.daemon.stop()

    def kill(self):
        self.daemon.kill()

    def daemon_pid(self):
        return self.daemon.pid


class KeptMount:
    """A target whose mount outlives one run of a row, for --warm: the row runs twice on one mount and
    the second run is measured, so a JVM's first-minute JIT work is out of the figures."""

    def __init__(self, target):
        self.target, self.name, self.fuse, self.root = target, target.name, target.fuse, None

    def start(self):
        if self.root is None:
            self.root = self.target.start()
        return self.root

    def stop(self):
        pass  # the mount is kept for the next run; close() ends it

    def kill(self):
        self.root = None
        self.target.kill()

    def daemon_pid(self):
        return self.target.daemon_pid()

    def close(self):
        if self.root is not None:
            self.root = None
            self.target.stop()


@contextlib.contextmanager
def mount(target):
    """A fresh mount of the target for one row (with --warm, the mount kept for both runs of the
    row); unmounted (or at least cleaned up) whatever happens."""
    root = target.start()
    try:
        yield root
    except BaseException:
        target.kill()
        raise
    target.stop()


# ---- measuring one step -----------------------------------------------------------------------

@dataclass
class Step:
    seconds: float
    cpu: float | None  # the daemon's CPU seconds during the step; None for the bare disk
    jit: float | None  # of which its JIT compiler threads'

    def cpu_us_per(self, ops):
        return None if self.cpu is None else self.cpu * 1e6 / ops

    def jit_us_per(self, ops):
        return None if self.jit is None else self.jit * 1e6 / ops


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(target, action):
    """Runs action() and returns its wall time and the CPU time the target's daemon spent meanwhile."""
    pid = target.daemon_pid()
    if not pid:
        return Step(timed(action), None, None)
    before, jit_before = cpu_seconds(pid), compiler_seconds(pid)
    seconds = timed(action)
    return Step(seconds, cpu_seconds(pid) - before, compiler_seconds(pid) - jit_before)


@dataclass
class Result:
    workload: str
    unit: str  # MB/s, ops/s or s
    value: float
    cpu_us: float | None  # daemon CPU µs per op
    per: str  # what one op is for cpu_us
    jit_us: float | None  # of which JIT compiling


def mb_per_s(workload, mib, step):
    return Result(workload, "MB/s", mib * MIB / 1e6 / step.seconds, step.cpu_us_per(mib), "MiB", step.jit_us_per(mib))


def ops_per_s(workload, ops, step):
    return Result(workload, "ops/s", ops / step.seconds, step.cpu_us_per(ops), "file", step.jit_us_per(ops))


def duration(workload, ops, step, per):
    return Result(workload, "s", step.seconds, step.cpu_us_per(ops), per, step.jit_us_per(ops))


def run(*argv, **kwargs):
    subprocess.run(argv, check=True, **kwargs)


# ---- rows: each takes (target, Inputs) and returns [Result] -----------------------------------

@dataclass
class Inputs:
    seq_mib: int
    archive: Path | None = None
    archive_entries: int = 0
    repo: Path | None = None
    repo_files: int = 0


def sequential_row(target, inputs):
    """Write seq_mib MiB in 1 MiB writes and fsync; on a fresh mount with caches dropped, read it back."""
    mib = inputs.seq_mib
    block = os.urandom(MIB)

    def write(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for _ in range(mib):
                os.write(fd, block)
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(path):
        with open(path, "rb", buffering=0) as f:
            while f.read(MIB):
                pass

    with mount(target) as root:
        wrote = measure(target, lambda: write(root / "big"))
    drop_caches()
    with mount(target) as root:
        read_back = measure(target, lambda: read(root / "big"))
        os.unlink(root / "big")
    return [mb_per_s("seq write %d MiB + fsync" % mib, mib, wrote),
            mb_per_s("seq read %d MiB, cold" % mib, mib, read_back)]


def small_files_row(target, inputs):
    """10,000 files of 4 KiB in one directory: create, stat cold (caches dropped), stat warm, read, unlink."""
    n = SMALL_FILES
    data = os.urandom(SMALL_SIZE)

    def create(names):
        for name in names:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, data)
            os.close(fd)

    def stat_all(names):
        for name in names:
            os.stat(name)

    def read_all(names):
        for name in names:
            fd = os.open(name, os.O_RDONLY)
            os.read(fd, SMALL_SIZE)
            os.close(fd)

    def unlink_all(names):
        for name in names:
            os.unlink(name)

    with mount(target) as root:
        directory = root / "small"
        directory.mkdir()
        names = [str(directory / ("f%05d" % i)) for i in range(n)]
        created = measure(target, lambda: create(names))
        drop_caches()
        stat_cold = measure(target, lambda: stat_all(names))
        stat_warm = measure(target, lambda: stat_all(names))
        read = measure(target, lambda: read_all(names))
        unlinked = measure(target, lambda: unlink_all(names))
        directory.rmdir()
    return [ops_per_s("4 KiB files: create", n, created),
            ops_per_s("4 KiB files: stat, cold", n, stat_cold),
            ops_per_s("4 KiB files: stat, warm", n, stat_warm),
            ops_per_s("4 KiB files: open+read+close", n, read),
            ops_per_s("4 KiB files: unlink", n, unlinked)]


def tar_row(target, inputs):
    """`tar x` of the source archive, then `find` and `du -s` over the tree, then `rm -rf` of it."""
    n = inputs.archive_entries
    with mount(target) as root:
        tree = root / "tree"
        tree.mkdir()
        extracted = measure(target, lambda: run("tar", "xf", str(inputs.archive), "-C", str(tree)))
        found = measure(target, lambda: run("find", str(tree), stdout=subprocess.DEVNULL))
        du = measure(target, lambda: run("du", "-s", str(tree), stdout=subprocess.DEVNULL))
        removed = measure(target, lambda: run("rm", "-rf", str(tree)))
    return [duration("tar x, %d entries" % n, n, extracted, "entry"),
            duration("find over the tree", n, found, "entry"),
            duration("du -s over the tree", n, du, "entry"),
            duration("rm -rf of the tree", n, removed, "entry")]


GIT = ["git", "-c", "safe.directory=*", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]


def git_row(target, inputs):
    """`git clone --no-hardlinks` of a local repo on the bare disk; then `git status`, cold (caches
    dropped) and warm, in the clone."""
    n = inputs.repo_files

    def status(clone):
        out = subprocess.run(GIT + ["-C", str(clone), "status", "--porcelain"],
                             check=True, capture_output=True, text=True).stdout
        if out:
            print("%s: git status after a clean clone lists changes:\n%s" % (target.name, out[:2000]), file=sys.stderr)

    with mount(target) as root:
        clone = root / "clone"
        cloned = measure(target, lambda: run(*GIT, "clone", "-q", "--no-hardlinks", str(inputs.repo), str(clone)))
        # Files written in the second the index was are "racily clean": the first status reads
        # them whole and rewrites the index. How many are depends on how fast the clone was, so
        # an untimed status a second later settles the index, as any later status finds it.
        time.sleep(1.1)
        status(clone)
        drop_caches()
        cold = measure(target, lambda: status(clone))
        warm = measure(target, lambda: status(clone))
        run("rm", "-rf", str(clone))
    return [duration("git clone, %d files" % n, n, cloned, "file"),
            duration("git status, cold", n, cold, "file"),
            duration("git status, warm", n, warm, "file")]


def create_files(directory, count, ready, go):
    """One of the parallel writers: count files of 4 KiB in its own directory, when told to go."""
    data = os.urandom(SMALL_SIZE)
    ready.wait(timeout=MOUNT_TIMEOUT)
    go.wait(timeout=MOUNT_TIMEOUT)
    for i in range(count):
        fd = os.open(os.path.join(directory, "f%05d" % i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)


def parallel_row(target, inputs):
    """4 processes creating 2,500 files of 4 KiB each at once, each in its own directory."""
    n = PARALLEL_PROCESSES * PARALLEL_FILES
    context = multiprocessing.get_context("fork")
    with mount(target) as root:
        directories = [root / ("writer%d" % i) for i in range(PARALLEL_PROCESSES)]
        for directory in directories:
            directory.mkdir()
        ready, go = context.Barrier(PARALLEL_PROCESSES + 1), context.Event()
        writers = [context.Process(target=create_files, args=(str(d), PARALLEL_FILES, ready, go))
                   for d in directories]
        try:
            for writer in writers:
                writer.start()
            ready.wait(timeout=MOUNT_TIMEOUT)

            def go_and_join():
                go.set()
                for writer in writers:
                    writer.join()

            created = measure(target, go_and_join)
        finally:
            for writer in writers:
                if writer.is_alive():
                    writer.terminate()
                writer.join()
        if any(writer.exitcode != 0 for writer in writers):
            raise RuntimeError("a parallel writer failed: exit codes %s" % [w.exitcode for w in writers])
        run("rm", "-rf", *map(str, directories))
    return [ops_per_s("%d processes x %d creates, at once" % (PARALLEL_PROCESSES, PARALLEL_FILES), n, created)]


ROWS = {  # --only name: row function
    "sequential": sequential_row,
    "small": small_files_row,
    "tar": tar_row,
    "git": git_row,
    "parallel": parallel_row,
}


# ---- tiering: upload to and recall from a remote, through the real CLI -----------------------
#
# Each run and remote gets a fresh work dir (cache, mountpoint, remote) that is removed in a
# finally, after every mount is unmounted and every process this bench started has exited.

TIER_TARGETS = {  # metric: (remote it applies to, None for every remote; threshold; higher is better)
    "tier upload MB/s": ("local-dir", 200.0, True),
    "recall MB/s (evicted, fresh mount)": ("local-dir", 200.0, True),
    "first byte ms (evicted, fresh mount)": (None, 1000.0, False),
}
TIER_REMOTES = ["local-dir", "b2-emulator"]
B2_KEY_ID, B2_KEY, B2_BUCKET = "zerobenchkeyid", "zero-bench-secret-key", "zerobenchbucket"
CLI_TIMEOUT = 1800  # seconds for one CLI call; 1 GiB at a few MB/s still fits


class TierMount(FuseProcess):
    """One `zero-cli mount` process with a given config.yml; mount it fresh for each step."""

    def __init__(self, jar, mnt, cache, log):
        super().__init__(mnt, log)
        self.jar, self.cache = jar, cache

    def start(self, config):
        self.launch([*JAVA, "-jar", self.jar, "mount", "--config", str(config), str(self.mnt), str(self.cache)],
                    "zero-cli mount")


class B2EmulatorProcess:
    """`zero-cli b2-emulator` on loopback; its URL is the first line it prints."""

    def __init__(self, jar, data, log):
        self.jar, self.data, self.log_path = jar, data, log
        self.process = None
        self.url = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [*JAVA, "-jar", self.jar, "b2-emulator", "--listen", "127.0.0.1:0", "--data", str(self.data),
             "--key-id", B2_KEY_ID, "--key", B2_KEY, "--bucket-id", B2_BUCKET],
            stdout=subprocess.PIPE, stderr=self.log)
        line = b""
        deadline = time.time() + 60
        while not line.endswith(b"\n"):
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("b2-emulator printed no URL:\n" + log_tail(self.log_path))
            if select.select([self.process.stdout], [], [], 0.1)[0]:
                chunk = os.read(self.process.stdout.fileno(), 1)
                if not chunk:
                    raise RuntimeError("b2-emulator closed its output:\n" + log_tail(self.log_path))
                line += chunk
        self.url = line.decode().strip()
        # Whatever else it prints goes to the log, so that a full pipe never blocks it.
        threading.Thread(target=shutil.copyfileobj, args=(self.process.stdout, self.log), daemon=True).start()
        return self.url

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()  # SIGTERM to this PID: the emulator stops cleanly
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
            self.log.close()


def cli(jar, *args):
    """Runs a zero-cli subcommand to completion; returns its stdout, raises on a non-zero exit."""
    done = subprocess.run([*JAVA, "-jar", jar, *args], capture_output=True, text=True, timeout=CLI_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError("zero-cli %s exited with %d:\n%s%s" % (" ".join(args), done.returncode, done.stdout, done.stderr))
    return done.stdout


def write_random_file(path, size_mib):
    """size_mib MiB that do not compress: 1 MiB of os.urandom, its first 8 bytes the MiB's index."""
    block = bytearray(os.urandom(MIB))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for i in range(size_mib):
            block[:8] = i.to_bytes(8, "little")
            os.write(fd, block)
        os.fsync(fd)
    finally:
        os.close(fd)


class LostRace(RuntimeError):
    """The mount's own background pass uploaded the file before the timed pass could."""


def tiering_figures(jar, work, remote, size_mib):
    """tiering_run, tried once more if the mount's background pass won the race (a busy machine)."""
    try:
        return tiering_run(jar, work, remote, size_mib)
    except LostRace as e:
        print("tiering on %s: %s; trying once more" % (remote, str(e).splitlines()[0]), file=sys.stderr)
        return tiering_run(jar, work, remote, size_mib)


def tiering_run(jar, work, remote, size_mib):
    """One run of the tiering figures on one remote: {metric: value}.

    Steps, each on a fresh mount of the same cache:
      1. write the file with uploadDelaySeconds high (the mount's background pass, every 5 s,
         leaves it alone), unmount;
      2. remount with uploadDelaySeconds 0 and a large targetDiskUsage and time
         `zero-cli tier --once` at once: only the upload is in the timed pass (nothing to evict
         or recall). The mount's first background pass comes 5 s after it starts and waits for
         ours (one pass at a time); if it won the race anyway, our pass reports 0 files and the
         run fails rather than report a wrong figure. The time includes the tier client's JVM
         start (~0.3 s), as a user would see it. Caches are not dropped before it: the file was
         just written, as it is when a real upload comes uploadDelaySeconds after the last write;
      3. remount with a tiny targetDiskUsage, run a pass (evicts the file), check `status`;
      4. drop caches, fresh mount: time open + read of the first 4 KiB (first byte);
      5. drop caches, fresh mount: time a sequential read of the whole file, 1 MiB reads.
    A recall cut short by an unmount starts again from nothing, so 4 leaves the file
    remote-only for 5 (checked with `status`).
    """
    run_dir = Path(tempfile.mkdtemp(prefix="tiering-%s-" % remote, dir=work))
    mnt, cache = run_dir / "mnt", run_dir / "cache"
    mnt.mkdir()
    zero = TierMount(jar, mnt, cache, run_dir / "mount.log")
    emulator = None
    size = size_mib * MIB
    try:
        if remote == "local-dir":
            remote_keys = "remoteDirectory: %s\n" % (run_dir / "remote")
        else:
            data = run_dir / "b2-data"
            data.mkdir()
            emulator = B2EmulatorProcess(jar, data, run_dir / "b2-emulator.log")
            url = emulator.start()
            remote_keys = "accountId: %s\napplicationKey: %s\nbucketId: %s\nb2Url: %s\n" % (B2_KEY_ID, B2_KEY, B2_BUCKET, url)

        def config(name, delay, target_gb):
            path = run_dir / (name + ".yml")
            path.write_text("uploadDelaySeconds: %d\ntargetDiskUsage: %s\n" % (delay, target_gb) + remote_keys)
            return path

        hold = config("hold", 3600, 1000)
        upload = config("upload", 0, 1000)
        evict = config("evict", 0, 0.001)

        def status_remote_only(cfg):
            text = cli(jar, "status", "--config", str(cfg), str(cache))
            if not re.search(r"remote only:\s+1 files", text):
                raise RuntimeError("expected the file remote-only; status says:\n" + text)

        zero.start(hold)
        write_random_file(mnt / "big", size_mib)
        zero.stop()

        zero.start(upload)
        start = time.perf_counter()
        out = cli(jar, "tier", "--once", "--config", str(upload), str(cache))
        upload_seconds = time.perf_counter() - start
        if not re.search(r"uploaded 1 files", out):
            raise LostRace("the timed tier pass did not upload the file (the background pass won?):\n" + out)
        zero.stop()

        zero.start(evict)
        out = cli(jar, "tier", "--once", "--config", str(evict), str(cache))
        if not re.search(r"evicted 1 files", out):
            raise RuntimeError("the tier pass did not evict the file:\n" + out)
        status_remote_only(evict)
        zero.stop()

        drop_caches()
        zero.start(evict)

        def first_byte():
            fd = os.open(mnt / "big", os.O_RDONLY)
            try:
                if len(os.read(fd, 4096)) != 4096:
                    raise RuntimeError("short read of the first 4 KiB")
            finally:
                os.close(fd)

        first_byte_seconds = timed(first_byte)
        status_remote_only(evict)
        zero.stop()

        drop_caches()
        zero.start(evict)

        def read_all():
            total = 0
            with open(mnt / "big", "rb", buffering=0) as f:
                while True:
                    chunk = f.read(MIB)
                    if not chunk:
                        break
                    total += len(chunk)
            if total != size:
                raise RuntimeError("read %d bytes of %d" % (total, size))

        recall_seconds = timed(read_all)
        zero.stop()
        return {"tier upload MB/s": size / 1e6 / upload_seconds,
                "recall MB/s (evicted, fresh mount)": size / 1e6 / recall_seconds,
                "first byte ms (evicted, fresh mount)": first_byte_seconds * 1000}
    except BaseException:
        for log in sorted(run_dir.glob("*.log")):
            print("---- %s (%s), last lines:\n%s" % (log.name, remote, log_tail(log)), file=sys.stderr)
        raise
    finally:
        try:
            zero.kill()
        finally:
            if emulator is not None:
                emulator.stop()
            if not mounted(mnt):  # never remove through a mount that is still there
                shutil.rmtree(run_dir, ignore_errors=True)


def print_tiering(samples, runs, size_mib):
    print("\ntiering: median of %d runs; %d MiB file; upload through `zero-cli tier --once`" % (runs, size_mib))
    print("%-38s" % "metric" + "".join("%18s" % r for r in TIER_REMOTES) + "%26s" % "target")
    for metric, by_remote in samples.items():
        applies_to, threshold, higher = TIER_TARGETS[metric]
        line = "%-38s" % metric
        for remote in TIER_REMOTES:
            if remote not in by_remote:
                line += "%18s" % "-"
                continue
            value = statistics.median(by_remote[remote])
            verdict = ""
            if applies_to in (None, remote):
                verdict = "pass" if (value >= threshold if higher else value < threshold) else "FAIL"
            line += "%13.1f %-4s" % (value, verdict)
        target = ("%s %g" % (">=" if higher else "<", threshold)) + (" (%s)" % applies_to if applies_to else "")
        print(line + "%26s" % target)


# ---- inputs built once, on the bare disk ------------------------------------------------------

def source_tree(work):
    """Real source files: the JDK's java.base sources if a JDK ships them, else /usr/include."""
    tree = work / "sources"
    if tree.exists():
        return tree
    zips = sorted(z for z in Path("/usr/lib/jvm").glob("*/lib/src.zip") if z.exists())
    if zips:
        with zipfile.ZipFile(zips[0]) as z:
            z.extractall(tree, [n for n in z.namelist() if n.startswith("java.base/")])
    else:
        shutil.copytree("/usr/include", tree / "include", symlinks=True)
    return tree


def source_archive(work):
    """A tar of the source tree, and its number of entries."""
    archive = work / "sources.tar"
    if not archive.exists():
        run("tar", "cf", str(archive), "-C", str(source_tree(work)), ".")
    listing = subprocess.run(["tar", "tf", str(archive)], check=True, capture_output=True, text=True).stdout
    return archive, listing.count("\n")


def source_repo(work):
    """A git repo of the source tree, one commit, packed (as a fetched repo is); and its number of files."""
    repo = work / "repo"
    if not repo.exists():
        shutil.copytree(source_tree(work), repo, symlinks=True)
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "sources"], ["gc", "-q"]):
            run(*GIT, "-C", str(repo), *step)
    listing = subprocess.run(GIT + ["-C", str(repo), "ls-files"], check=True, capture_output=True, text=True).stdout
    return repo, listing.count("\n")


# ---- the tables -------------------------------------------------------------------------------

def fmt(value, digits=None):
    if value is None:
        return "-"
    if digits is not None:
        return "%.*f" % (digits, value)
    return "%.0f" % value if value >= 100 else "%.1f" % value if value >= 10 else "%.3f" % value


def markdown(header, lines):
    widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
    out = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths)) + " |",
           "| " + " | ".join("-" * w for w in widths) + " |"]
    for row in lines:
        out.append("| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                      for i, (c, w) in enumerate(zip(row, widths))) + " |")
    return "\n".join(out)


def print_tables(samples, targets, runs, warm):
    """samples: {workload: {"unit", "per", "values": {name: [...]}, "cpu": {name: [...]}, "net": {name: [...]}}}.

    "net" is the CPU net of JIT compiling (see compiler_seconds), the steady state's cost."""
    names = [t.name for t in targets]
    daemons = [t.name for t in targets if t.fuse]
    reference = "bindfs"
    zeros = [t.name for t in targets if isinstance(t, Zero) and not t.extra]  # the default mount, per loop

    def median(by_name, name):
        values = by_name.get(name)
        return statistics.median(values) if values else None

    def ratio(a, b):
        return None if a is None or b is None else a / b

    main, cpu = [], []
    for workload, s in samples.items():
        value = {n: median(s["values"], n) for n in names}
        cpu_us = {n: median(s["cpu"], n) for n in daemons}
        net_us = {n: median(s["net"], n) for n in daemons}
        line = ["%s (%s)" % (workload, s["unit"])] + [fmt(value[n]) for n in names]
        for z in zeros:
            line += [fmt(ratio(value[z], value[reference]), 2), fmt(ratio(value[z], value["native"]), 2)]
        line += [fmt(cpu_us[n], 1) for n in zeros] + [fmt(net_us[n], 1) for n in zeros] + [fmt(cpu_us[reference], 1)]
        main.append(line)
        cpu.append([workload, s["per"]] + [fmt(v, 1) for n in daemons
                                           for v in ([cpu_us[n], net_us[n]] if n != reference else [cpu_us[n]])])
    header = (["workload"] + names + [h for z in zeros for h in (z + "/" + reference, z + "/native")]
              + [n + " CPU/op" for n in zeros] + [n + " CPU/op net of JIT" for n in zeros] + [reference + " CPU/op"])
    print("\n%s; median of %d runs; ratios are value/value: for MB/s and ops/s higher is better, for s lower;"
          " CPU/op is the daemon's CPU µs per op, as in the table below\n"
          % ("warm: each row's second run on one mount" if warm else "each row on a fresh mount", runs))
    print(markdown(header, main))
    print("\ndaemon CPU per op (µs): utime+stime of the FUSE daemon during the step, per MiB, file or tar entry;"
          " \"net\": without its JIT compiler threads, whose work is done once per mount\n")
    print(markdown(["workload", "per"] + [h for n in daemons for h in ([n, n + " net"] if n != reference else [n])], cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--runs", type=int, default=3, help="rounds; every figure is the median (default 3)")
    parser.add_argument("--seq-mib", "--size-mib", dest="seq_mib", type=int, default=1024,
                        help="size of the sequential file in MiB (default 1024)")
    parser.add_argument("--loops", default="single", help="Zero's FUSE loops to measure: single,multi")
    parser.add_argument("--only", default=",".join(list(ROWS) + ["tiering"]),
                        help="rows to run (default all): " + ",".join(list(ROWS) + ["tiering"]))
    parser.add_argument("--tier-size-mib", type=int, default=1024,
                        help="size of the file uploaded and recalled by the tiering workload")
    parser.add_argument("--bindfs-at0", action="store_true",
                        help="also run bindfs with attr_timeout=0, the attribute caching Zero runs with")
    parser.add_argument("--warm", action="store_true",
                        help="run each row twice on one mount and measure the second run: the steady state of"
                             " a mount in use, without a JVM's first-minute JIT work (default: a fresh mount per row)")
    parser.add_argument("--dir", default=None,
                        help="directory on the disk to measure; the bench works in a new subdirectory of it,"
                             " removed at the end (default: /var/tmp)")
    args = parser.parse_args()

    only = args.only.split(",")
    unknown = [name for name in only if name not in ROWS and name != "tiering"]
    if unknown:
        parser.error("unknown row(s) in --only: " + ",".join(unknown))

    work = Path(tempfile.mkdtemp(prefix="zero-bench-", dir=args.dir or "/var/tmp")).resolve()
    targets = [Native(work), Bindfs(work)]
    if args.bindfs_at0:
        targets.append(Bindfs(work, attr_timeout_zero=True))
    targets += [Zero(work, args.jar, loop, suffix) for loop in args.loops.split(",") for suffix in ZERO_VARIANTS]
    samples, tier_samples, notes = {}, {}, []
    failure = None
    uring_before = enable_uring("Y")
    try:
        run_rounds(args, only, targets, work, samples, tier_samples, notes)
    except Exception as e:  # print what was measured before it, then fail
        failure = e
    finally:
        for target in targets:
            target.kill()
        if uring_before is not None:
            enable_uring(uring_before)
        # Also after a failure, but never through a mount that is still there.
        if not any(mounted(t.mnt) for t in targets if t.fuse):
            shutil.rmtree(work, ignore_errors=True)

    if samples:
        print_tables(samples, targets, args.runs, args.warm)
        for note in notes:
            print("\n" + note)
    if tier_samples:
        print_tiering(tier_samples, args.runs, args.tier_size_mib)
    if failure is not None:
        print("\nbench stopped early: the tables above have what was measured before", file=sys.stderr)
        raise failure


ENABLE_URING = Path("/sys/module/fuse/parameters/enable_uring")


def enable_uring(value):
    """Sets the fuse module's enable_uring (root only); returns the value before, or None if it cannot."""
    try:
        before = ENABLE_URING.read_text().strip()
        ENABLE_URING.write_text(value)
        return before
    except OSError:
        return None


def run_row(row, target, inputs, warm):
    """The row's results on the target: on a fresh mount, or with warm on a mount that has run it once."""
    if not warm:
        return row(target, inputs)
    kept = KeptMount(target)
    try:
        row(kept, inputs)
        results = row(kept, inputs)
    except BaseException:
        kept.kill()
        raise
    kept.close()
    return results


def run_rounds(args, only, targets, work, samples, tier_samples, notes):
    """Every round runs each row in --only on every system; results go into samples and tier_samples."""
    rows = [name for name in only if name in ROWS]
    inputs = Inputs(args.seq_mib)
    if "tar" in rows:
        inputs.archive, inputs.archive_entries = source_archive(work)
    if "git" in rows:
        inputs.repo, inputs.repo_files = source_repo(work)
    active = list(targets)
    for target in [t for t in targets if isinstance(t, Zero) and t.extra] if rows else []:
        try:  # a variant this zero-cli does not know yet is skipped, not an error
            with mount(target):
                pass
        except VariantUnsupported as e:
            print(e, file=sys.stderr)
            notes.append(str(e))
            active.remove(target)
    for run_index in range(args.runs):
        turn = run_index % len(active)
        for name in only:
            if name == "tiering":
                for remote in TIER_REMOTES:
                    for metric, value in tiering_figures(args.jar, work, remote, args.tier_size_mib).items():
                        tier_samples.setdefault(metric, {}).setdefault(remote, []).append(value)
                    print("run %d/%d: tiering on %s done" % (run_index + 1, args.runs, remote), file=sys.stderr)
                continue
            for target in active[turn:] + active[:turn]:
                subprocess.run(["sync"], check=True)  # no writeback left from the last row in this one
                for r in run_row(ROWS[name], target, inputs, args.warm):
                    s = samples.setdefault(r.workload, {"unit": r.unit, "per": r.per, "values": {}, "cpu": {}, "net": {}})
                    s["values"].setdefault(target.name, []).append(r.value)
                    if r.cpu_us is not None:
                        s["cpu"].setdefault(target.name, []).append(r.cpu_us)
                        s["net"].setdefault(target.name, []).append(r.cpu_us - r.jit_us)
                print("run %d/%d: %s on %s done" % (run_index + 1, args.runs, name, target.name), file=sys.stderr)


if __name__ == "__main__":
    main()
