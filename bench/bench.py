"""Zero's benchmark: the same workloads on Zero, on bindfs over the same disk, and on the disk.

Every figure is the median of several runs, each on a fresh mount; the last column is the
ratio Zero/bindfs (for rates, higher is better; for times, lower is better).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    parser.add_argument("--only", default="sequential,small,tar")
    parser.add_argument("--bindfs-at0", action="store_true",
                        help="also run bindfs with attr_timeout=0, the attribute caching Zero runs with")
    parser.add_argument("--dir", default=None, help="work directory (default: a new one in /var/tmp)")
    args = parser.parse_args()

    work = Path(args.dir or tempfile.mkdtemp(prefix="zero-bench-", dir="/var/tmp")).resolve()
    targets = [Zero(work, args.jar, loop) for loop in args.loops.split(",")] + [Bindfs(work)]
    if args.bindfs_at0:
        targets.append(Bindfs(work, attr_timeout_zero=True))
    targets.append(Native(work))
    archive = source_archive(work)
    tar_files = int(subprocess.run(["tar", "tf", str(archive)], capture_output=True, text=True).stdout.count("\n"))
    workloads = {"sequential": lambda t: sequential(t, args.size_mib),
                 "small": small_files,
                 "tar": lambda t: tar_extract(t, archive)}
    samples = {}
    try:
        for run in range(args.runs):
            for name in args.only.split(","):
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

    names = [t.name for t in targets]
    print("\nmedian of %d runs; work dir %s; tar archive: %d entries" % (args.runs, work, tar_files))
    header = "%-30s" % "metric" + "".join("%14s" % n for n in names)
    ratios = [(z, b) for z in names if z.startswith("zero") for b in names if b.startswith("bindfs")]
    print(header + "".join("%18s" % (z + "/" + b) for z, b in ratios))
    for metric, by_target in samples.items():
        medians = {n: statistics.median(v) for n, v in by_target.items()}
        line = "%-30s" % metric + "".join("%14.1f" % medians[n] for n in names)
        line += "".join("%18.2f" % (medians[z] / medians[b]) for z, b in ratios)
        print(line)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
