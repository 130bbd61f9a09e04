"""Zero's benchmark: the same workloads on Zero, on bindfs over the same disk, and on the disk.

Every figure is the median of several runs, each on a fresh mount; the last column is the
ratio Zero/bindfs (for rates, higher is better; for times, lower is better).

The tiering workload (--only tiering) measures Zero alone, through the real CLI, against a
local-directory remote and the B2 emulator on loopback: upload by `zero-cli tier --once`, then
recall and first byte of the evicted file on fresh mounts, each beside its target.
"""
import argparse
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
from pathlib import Path

MIB = 1 << 20
SMALL_FILES = 10_000
SMALL_SIZE = 4096


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


class Native:
    """The disk itself, as the floor every FUSE filesystem pays on top of."""

    def __init__(self, work, name="native"):
        self.name = name
        self.root = work / name
        self.root.mkdir(parents=True, exist_ok=True)

    def start(self):
        return self.root

    def stop(self):
        pass


class Bindfs(Native):
    """bindfs as it comes, or with attr_timeout=0: the attribute caching Zero gives up for hard links."""

    def __init__(self, work, attr_timeout_zero=False):
        name = "bindfs-at0" if attr_timeout_zero else "bindfs"
        super().__init__(work, name + "-backing")
        self.name = name
        self.options = "big_writes,attr_timeout=0" if attr_timeout_zero else "big_writes"
        self.mnt = work / (self.name + "-mnt")
        self.mnt.mkdir(parents=True, exist_ok=True)

    def start(self):
        subprocess.run(["bindfs", "-o", self.options, str(self.root), str(self.mnt)], check=True)
        wait_until(lambda: mounted(self.mnt), "bindfs mount")
        return self.mnt

    def stop(self):
        subprocess.run(["fusermount", "-u", str(self.mnt)], check=True)


class Zero:
    def __init__(self, work, jar, loop):
        self.name = "zero" if loop == "single" else "zero-" + loop
        self.jar, self.loop = jar, loop
        self.mnt = work / (self.name + "-mnt")
        self.cache = work / (self.name + "-cache")
        self.config = work / "empty-config.yml"
        self.config.write_text("")
        self.mnt.mkdir(parents=True, exist_ok=True)
        self.process = None

    def start(self):
        self.log = open(self.mnt.parent / (self.name + ".log"), "a")
        self.process = subprocess.Popen(
            ["java", "-jar", self.jar, "mount", "--config", str(self.config),
             "--fuse-loop", self.loop, str(self.mnt), str(self.cache)],
            stdout=self.log, stderr=self.log)
        wait_until(lambda: mounted(self.mnt) or self.process.poll() is not None, "zero mount")
        if self.process.poll() is not None:
            raise RuntimeError("zero-cli mount exited; see " + self.log.name)
        return self.mnt

    def stop(self):
        subprocess.run(["fusermount", "-u", str(self.mnt)], check=True)
        if self.process.wait(timeout=60) != 0:
            raise RuntimeError("zero-cli mount exited with " + str(self.process.returncode))
        self.log.close()


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ---- workloads: each returns {metric: value} --------------------------------------------------

def sequential(target, size_mib):
    root = target.start()
    block = os.urandom(MIB)

    def write():
        fd = os.open(root / "big", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        for _ in range(size_mib):
            os.write(fd, block)
        os.fsync(fd)
        os.close(fd)

    write_seconds = timed(write)
    target.stop()
    drop_caches()
    root = target.start()

    def read():
        with open(root / "big", "rb", buffering=0) as f:
            while f.read(MIB):
                pass

    read_seconds = timed(read)
    os.unlink(root / "big")
    target.stop()
    return {"seq write MB/s": size_mib * MIB / 1e6 / write_seconds,
            "seq read MB/s (fresh mount)": size_mib * MIB / 1e6 / read_seconds}


def small_files(target):
    root = target.start()
    directory = root / "small"
    directory.mkdir()
    names = [str(directory / ("f%05d" % i)) for i in range(SMALL_FILES)]
    data = os.urandom(SMALL_SIZE)

    def create():
        for name in names:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, data)
            os.close(fd)

    def stat_all():
        for name in names:
            os.stat(name)

    def read_all():
        for name in names:
            fd = os.open(name, os.O_RDONLY)
            os.read(fd, SMALL_SIZE)
            os.close(fd)

    def unlink_all():
        for name in names:
            os.unlink(name)

    result = {}
    for label, action in [("create", create), ("stat", stat_all), ("read", read_all), ("unlink", unlink_all)]:
        result["4 KiB files: %s ops/s" % label] = SMALL_FILES / timed(action)
    directory.rmdir()
    target.stop()
    return result


def tar_extract(target, archive):
    root = target.start()
    destination = root / "tree"
    destination.mkdir()
    seconds = timed(lambda: subprocess.run(["tar", "xf", str(archive), "-C", str(destination)], check=True))
    shutil.rmtree(destination)
    target.stop()
    return {"tar x seconds": seconds}


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


def log_tail(path, lines=15):
    try:
        return "".join(Path(path).read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


class TierMount:
    """One `zero-cli mount` process with a given config.yml; mount it fresh for each step."""

    def __init__(self, jar, mnt, cache, log):
        self.jar, self.mnt, self.cache, self.log_path = jar, mnt, cache, log
        self.process = None
        self.log = None

    def start(self, config):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            ["java", "-jar", self.jar, "mount", "--config", str(config), str(self.mnt), str(self.cache)],
            stdout=self.log, stderr=self.log)
        wait_until(lambda: mounted(self.mnt) or self.process.poll() is not None, "zero mount")
        if self.process.poll() is not None:
            raise RuntimeError("zero-cli mount exited with %d:\n%s" % (self.process.returncode, log_tail(self.log_path)))

    def stop(self):
        """Unmounts and waits for the mount process; raises if it did not exit cleanly."""
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
                    raise RuntimeError("zero-cli mount exited with %d:\n%s" % (code, log_tail(self.log_path)))
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
        if self.log is not None:
            self.log.close()
            self.log = None


class B2EmulatorProcess:
    """`zero-cli b2-emulator` on loopback; its URL is the first line it prints."""

    def __init__(self, jar, data, log):
        self.jar, self.data, self.log_path = jar, data, log
        self.process = None
        self.url = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["java", "-jar", self.jar, "b2-emulator", "--listen", "127.0.0.1:0", "--data", str(self.data),
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
    done = subprocess.run(["java", "-jar", jar, *args], capture_output=True, text=True, timeout=CLI_TIMEOUT)
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
            raise RuntimeError("the timed tier pass did not upload the file (the background pass won?):\n" + out)
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


def source_archive(work):
    """A tar of real source files: the JDK's java.base sources if a JDK ships them, else /usr/include."""
    archive = work / "sources.tar"
    if archive.exists():
        return archive
    tree = work / "sources"
    zips = [z for z in Path("/usr/lib/jvm").glob("*/lib/src.zip") if z.exists()]
    if zips:
        with zipfile.ZipFile(zips[0]) as z:
            z.extractall(tree, [n for n in z.namelist() if n.startswith("java.base/")])
    else:
        shutil.copytree("/usr/include", tree / "include", symlinks=True)
    subprocess.run(["tar", "cf", str(archive), "-C", str(tree), "."], check=True)
    shutil.rmtree(tree)
    return archive


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the sequential file")
    parser.add_argument("--loops", default="single", help="Zero's FUSE loops to measure: single,multi")
    parser.add_argument("--only", default="sequential,small,tar,tiering")
    parser.add_argument("--tier-size-mib", type=int, default=1024,
                        help="size of the file uploaded and recalled by the tiering workload")
    parser.add_argument("--bindfs-at0", action="store_true",
                        help="also run bindfs with attr_timeout=0, the attribute caching Zero runs with")
    parser.add_argument("--dir", default=None, help="work directory (default: a new one in /var/tmp)")
    args = parser.parse_args()

    only = args.only.split(",")
    unknown = [name for name in only if name not in ("sequential", "small", "tar", "tiering")]
    if unknown:
        parser.error("unknown workload(s) in --only: " + ",".join(unknown))

    work = Path(args.dir or tempfile.mkdtemp(prefix="zero-bench-", dir="/var/tmp")).resolve()
    targets = [Zero(work, args.jar, loop) for loop in args.loops.split(",")] + [Bindfs(work)]
    if args.bindfs_at0:
        targets.append(Bindfs(work, attr_timeout_zero=True))
    targets.append(Native(work))
    workloads = {"sequential": lambda t: sequential(t, args.size_mib),
                 "small": small_files,
                 "tar": lambda t: tar_extract(t, archive)}
    samples = {}
    tier_samples = {}
    archive, tar_files = None, 0
    try:
        if "tar" in only:
            archive = source_archive(work)
            tar_files = int(subprocess.run(["tar", "tf", str(archive)], capture_output=True, text=True).stdout.count("\n"))
        for run in range(args.runs):
            for name in only:
                if name == "tiering":
                    for remote in TIER_REMOTES:
                        for metric, value in tiering_run(args.jar, work, remote, args.tier_size_mib).items():
                            tier_samples.setdefault(metric, {}).setdefault(remote, []).append(value)
                        print("run %d/%d: tiering on %s done" % (run + 1, args.runs, remote), file=sys.stderr)
                    continue
                for target in targets:
                    for metric, value in workloads[name](target).items():
                        samples.setdefault(metric, {}).setdefault(target.name, []).append(value)
                    print("run %d/%d: %s on %s done" % (run + 1, args.runs, name, target.name), file=sys.stderr)
    finally:
        for target in targets:
            if isinstance(target, (Zero, Bindfs)) and mounted(target.mnt):
                subprocess.run(["fusermount", "-u", str(target.mnt)])
            if isinstance(target, Zero) and target.process and target.process.poll() is None:
                target.process.wait(timeout=60)
        # Also after a failure, but never through a mount that is still there.
        if not any(mounted(t.mnt) for t in targets if isinstance(t, (Zero, Bindfs))):
            shutil.rmtree(work, ignore_errors=True)

    names = [t.name for t in targets]
    if samples:
        print("\nmedian of %d runs; work dir %s" % (args.runs, work)
              + ("; tar archive: %d entries" % tar_files if archive else ""))
        header = "%-30s" % "metric" + "".join("%14s" % n for n in names)
        ratios = [(z, b) for z in names if z.startswith("zero") for b in names if b.startswith("bindfs")]
        print(header + "".join("%18s" % (z + "/" + b) for z, b in ratios))
        for metric, by_target in samples.items():
            medians = {n: statistics.median(v) for n, v in by_target.items()}
            line = "%-30s" % metric + "".join("%14.1f" % medians[n] for n in names)
            line += "".join("%18.2f" % (medians[z] / medians[b]) for z, b in ratios)
            print(line)
    if tier_samples:
        print_tiering(tier_samples, args.runs, args.tier_size_mib)


if __name__ == "__main__":
    main()
