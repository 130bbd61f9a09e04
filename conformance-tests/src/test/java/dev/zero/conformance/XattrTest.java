package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.XATTR_CREATE;
import static dev.zero.conformance.Sys.XATTR_REPLACE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import jnr.constants.platform.Errno;

/** Extended attributes in the user. namespace. ENODATA is the Linux name of ENOATTR. */
class XattrTest {

    private static Path file(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        return file;
    }

    private static List<String> userNames(Path path) {
        return Sys.listxattr(path).stream().filter(name -> name.startsWith("user.")).sorted().toList();
    }

    @OnBothRoots
    void setThenGetReturnsTheValueByteForByte(Root root) {
        Path file = file(root);
        byte[] value = {0, 1, 2, (byte) 0xff, 0, 'z'};

        Sys.setxattr(file, "user.binary", value, 0);

        assertArrayEquals(value, Sys.getxattr(file, "user.binary"), "value read back, zero bytes included");
    }

    @OnBothRoots
    void setWithoutFlagsReplacesTheValue(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "a long first value");

        Sys.setxattr(file, "user.key", "short");

        assertEquals("short", new String(Sys.getxattr(file, "user.key"), StandardCharsets.UTF_8), "value after replacing with a shorter one");
    }

    @OnBothRoots
    void emptyValueIsStoredAndReadBackAsEmpty(Root root) {
        Path file = file(root);

        Sys.setxattr(file, "user.empty", new byte[0], 0);

        assertEquals(0, Sys.getxattrSize(file, "user.empty"), "size of an empty value");
        assertEquals(List.of("user.empty"), userNames(file), "an attribute with an empty value is listed");
    }

    @OnBothRoots
    void listShowsEveryName(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.one", "1");
        Sys.setxattr(file, "user.two", "22");
        Sys.setxattr(file, "user.three", "333");

        assertEquals(List.of("user.one", "user.three", "user.two"), userNames(file), "names from listxattr");
    }

    @OnBothRoots
    void removeDeletesTheAttribute(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.gone", "x");
        Sys.setxattr(file, "user.kept", "y");

        Sys.removexattr(file, "user.gone");

        assertErrno(Errno.ENODATA, () -> Sys.getxattr(file, "user.gone"), "getxattr after removexattr");
        assertEquals(List.of("user.kept"), userNames(file), "names after removexattr");
    }

    @OnBothRoots
    void removeOfAMissingAttributeFailsWithEnodata(Root root) {
        Path file = file(root);

        assertErrno(Errno.ENODATA, () -> Sys.removexattr(file, "user.missing"), "removexattr of a missing attribute");
    }

    @OnBothRoots
    void getOfAMissingAttributeFailsWithEnodata(Root root) {
        Path file = file(root);

        assertErrno(Errno.ENODATA, () -> Sys.getxattr(file, "user.missing"), "getxattr of a missing attribute");
        assertErrno(Errno.ENODATA, () -> Sys.getxattrSize(file, "user.missing"), "getxattr(size 0) of a missing attribute");
    }

    @OnBothRoots
    void createFlagOnAnExistingAttributeFailsWithEexist(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "original");

        assertErrno(Errno.EEXIST, () -> Sys.setxattr(file, "user.key", "new".getBytes(), XATTR_CREATE),
                "setxattr(XATTR_CREATE) of an existing attribute");
        assertEquals("original", new String(Sys.getxattr(file, "user.key"), StandardCharsets.UTF_8), "the value must be unchanged");
    }

    @OnBothRoots
    void replaceFlagOnAMissingAttributeFailsWithEnodata(Root root) {
        Path file = file(root);

        assertErrno(Errno.ENODATA, () -> Sys.setxattr(file, "user.missing", "x".getBytes(), XATTR_REPLACE),
                "setxattr(XATTR_REPLACE) of a missing attribute");
        assertEquals(List.of(), userNames(file), "a failed XATTR_REPLACE must not create the attribute");
    }

    @OnBothRoots
    void replaceFlagOnAnExistingAttributeReplacesIt(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "original");

        Sys.setxattr(file, "user.key", "new".getBytes(), XATTR_REPLACE);

        assertEquals("new", new String(Sys.getxattr(file, "user.key"), StandardCharsets.UTF_8), "value after XATTR_REPLACE");
    }

    @OnBothRoots
    void sizeZeroQueriesReturnTheNeededBufferSize(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "12345");
        Sys.setxattr(file, "user.other", "x");

        assertEquals(5, Sys.getxattrSize(file, "user.key"), "getxattr with size 0 must return the value's length");
        long listSize = Sys.listxattrSize(file);
        int namesLength = Sys.listxattr(file).stream().mapToInt(name -> name.getBytes(StandardCharsets.UTF_8).length + 1).sum();
        assertEquals(namesLength, listSize, "listxattr with size 0 must return the length of the NUL-separated name list");
    }

    @OnBothRoots
    void tooSmallBufferFailsWithErange(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "12345");

        assertErrno(Errno.ERANGE, () -> Sys.getxattr(file, "user.key", 4), "getxattr into a 4-byte buffer for a 5-byte value");
        assertErrno(Errno.ERANGE, () -> Sys.listxattr(file, 4), "listxattr into a 4-byte buffer for 'user.key\\0'");
    }

    @OnBothRoots
    void attributesWorkOnDirectories(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        Sys.setxattr(dir, "user.dir", "on a directory");

        assertEquals("on a directory", new String(Sys.getxattr(dir, "user.dir"), StandardCharsets.UTF_8), "value on a directory");
    }

    @OnBothRoots
    void attributesFollowTheInodeAcrossHardLinksAndRenames(Root root) {
        Path file = file(root);
        Sys.setxattr(file, "user.key", "value");
        Path link = root.resolve("link");
        Sys.link(file, link);
        Path renamed = root.resolve("renamed");

        Sys.rename(file, renamed);

        assertEquals("value", new String(Sys.getxattr(link, "user.key"), StandardCharsets.UTF_8), "attribute through the hard link");
        assertEquals("value", new String(Sys.getxattr(renamed, "user.key"), StandardCharsets.UTF_8), "attribute through the new name");
    }
}
