package dev.zero.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A small disk for one test: a tmpfs of a given size mounted in a fresh work directory, which
 * also holds what must not be on the small disk (the config, the remote, the mountpoint). Needs
 * root; a test without it is skipped. {@link #close} unmounts it and deletes the work directory.
 */
final class SmallDisk implements AutoCloseable {
    private final Path work;
    private final Path disk;

    private SmallDisk(Path work, Path disk) {
        this.work = work;
        this.disk = disk;
    }

    static SmallDisk mount(String name, int mib) throws IOException {
        Assumptions.assumeTrue(BackupRig.isRoot(), "mount -t tmpfs needs root");
        Path work = Files.createTempDirectory("zero-" + name + "-");
        Path disk = Files.createDirectory(work.resolve("disk"));
        Shell.Result tmpfs = Shell.run(null, "mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", disk.toString());
        if (tmpfs.exitCode() != 0) {
            Trees.deleteRecursively(work);
        }
        Assumptions.assumeTrue(tmpfs.exitCode() == 0, "cannot mount a tmpfs here: " + tmpfs.output());
        return new SmallDisk(work, disk);
    }

    /** The small disk's root. */
    Path disk() {
        return disk;
    }

    /** A directory on the big disk beside it. */
    Path work() {
        return work;
    }

    @Override
    public void close() {
        if (ZeroMount.isMounted(disk) && Shell.run(null, "umount", disk.toString()).exitCode() != 0) {
            Shell.run(null, "umount", "-l", disk.toString());
        }
        if (!ZeroMount.isMounted(disk)) {
            Trees.deleteRecursively(work);
        }
    }
}
