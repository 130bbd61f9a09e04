package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_NONBLOCK;
import static dev.zero.conformance.Sys.O_RDONLY;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import jnr.constants.platform.Errno;

/** mknod: FIFOs, and (as root) device nodes and regular files. */
class SpecialFilesTest {

    @OnBothRoots
    void mkfifoCreatesAFifo(Root root) {
        Path fifo = root.resolve("fifo");

        Sys.mkfifo(fifo, 0640);

        Stat st = Sys.lstat(fifo);
        assertTrue(st.isFifo(), "mknod(S_IFIFO) must create a FIFO, but mode is 0" + Integer.toOctalString(st.mode()));
        assertEquals(0640, st.permissions(), "permissions of the FIFO");
        assertEquals(0, st.size(), "st_size of a FIFO");
    }

    @OnBothRoots
    void fifoPassesDataFromAWriterToAReader(Root root) {
        Path fifo = root.resolve("fifo");
        Sys.mkfifo(fifo, 0644);

        // The reader opens non-blocking so that the writer's open does not wait for it.
        try (Fd reader = Sys.open(fifo, O_RDONLY | O_NONBLOCK);
                Fd writer = Sys.open(fifo, O_WRONLY)) {
            writer.write("through the pipe");
            assertEquals("through the pipe", new String(reader.read(100)), "bytes read from the FIFO");
        }
    }

    @OnBothRoots
    void mknodOfACharacterDeviceRecordsItsDeviceNumber(Root root) {
        Path device = root.resolve("device");

        Sys.mknod(device, Stat.S_IFCHR | 0600, Sys.makedev(240, 300));

        Stat st = Sys.lstat(device);
        assertTrue(st.isCharDevice(), "mknod(S_IFCHR) must create a character device, but mode is 0" + Integer.toOctalString(st.mode()));
        assertEquals(0600, st.permissions(), "permissions of the device node");
        assertEquals(240, st.rdevMajor(), "major number of st_rdev");
        assertEquals(300, st.rdevMinor(), "minor number of st_rdev");
    }

    @OnBothRoots
    void mknodOfARegularFileCreatesAnEmptyFile(Root root) {
        Path file = root.resolve("file");

        Sys.mknod(file, Stat.S_IFREG | 0644, 0);

        Stat st = Sys.lstat(file);
        assertTrue(st.isRegularFile(), "mknod(S_IFREG) must create a regular file");
        assertEquals(0, st.size(), "a regular file made by mknod is empty");
    }

    @OnBothRoots
    void mknodOverAnExistingNameFailsWithEexist(Root root) {
        Path taken = root.resolve("taken");
        Sys.touch(taken);

        assertErrno(Errno.EEXIST, () -> Sys.mkfifo(taken, 0644), "mknod over an existing name");
    }
}
