package dev.zero.fusekernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Requests written as the kernel writes them, and answers read as the kernel reads them. */
final class KernelMessages {
  static final int UID = 5;
  static final int GID = 6;
  static final int PID = 7;

  private KernelMessages() {}

  /** A request: {@code struct fuse_in_header}, then the op's fields in the order fuse.h lists them. */
  static RequestBuilder request(int opcode, long unique, long nodeId) {
    return new RequestBuilder(opcode, unique, nodeId);
  }

  static final class RequestBuilder {
    private final ByteBuffer body = ByteBuffer.allocate(2 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final int opcode;
    private final long unique;
    private final long nodeId;

    private RequestBuilder(int opcode, long unique, long nodeId) {
      this.opcode = opcode;
      this.unique = unique;
      this.nodeId = nodeId;
    }

    RequestBuilder u16(int value) {
      body.putShort((short) value);
      return this;
    }

    RequestBuilder u32(long value) {
      body.putInt((int) value);
      return this;
    }

    RequestBuilder u64(long value) {
      body.putLong(value);
      return this;
    }

    /** A name as the kernel sends it: its bytes and a NUL. */
    RequestBuilder name(String name) {
      return bytes(name.getBytes(StandardCharsets.UTF_8)).bytes(new byte[1]);
    }

    RequestBuilder bytes(byte[] bytes) {
      body.put(bytes);
      return this;
    }

    byte[] build() {
      int length = FuseH.IN_HEADER + body.position();
      ByteBuffer message = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
      message.putInt(length).putInt(opcode).putLong(unique).putLong(nodeId);
      message.putInt(UID).putInt(GID).putInt(PID);
      message.putShort((short) 0).putShort((short) 0); // total_extlen, padding
      message.put(Arrays.copyOf(body.array(), body.position()));
      return message.array();
    }
  }

  /** The kernel's INIT of the given version, with fuse_init_in's flags and flags2 from {@code flags}. */
  static byte[] init(long unique, int major, int minor, long flags) {
    RequestBuilder init = request(FuseH.INIT, unique, 0)
        .u32(major).u32(minor).u32(128 * 1024) // max_readahead
        .u32(flags).u32(flags >>> 32);
    for (int unused = 0; unused < 11; unused++) {
      init.u32(0);
    }
    return init.build();
  }

  /** What a 7.41 kernel offers: every flag it knows of that this test cares about. */
  static final long KERNEL_OFFERS = FuseH.ASYNC_READ | FuseH.POSIX_LOCKS | FuseH.ATOMIC_O_TRUNC
      | FuseH.EXPORT_SUPPORT | FuseH.BIG_WRITES | FuseH.DONT_MASK | FuseH.SPLICE_WRITE | FuseH.FLOCK_LOCKS
      | FuseH.AUTO_INVAL_DATA | FuseH.DO_READDIRPLUS | FuseH.READDIRPLUS_AUTO | FuseH.ASYNC_DIO
      | FuseH.WRITEBACK_CACHE | FuseH.NO_OPEN_SUPPORT | FuseH.PARALLEL_DIROPS | FuseH.HANDLE_KILLPRIV
      | FuseH.POSIX_ACL | FuseH.ABORT_ERROR | FuseH.MAX_PAGES | FuseH.CACHE_SYMLINKS
      | FuseH.NO_OPENDIR_SUPPORT | FuseH.EXPLICIT_INVAL_DATA | FuseH.HANDLE_KILLPRIV_V2 | FuseH.SETXATTR_EXT | FuseH.INIT_EXT
      | FuseH.SECURITY_CTX | FuseH.CREATE_SUPP_GROUP | FuseH.PASSTHROUGH | FuseH.OVER_IO_URING;

  /** One written answer or notification: {@code struct fuse_out_header} and what follows. */
  static final class Answer {
    private final byte[] bytes;

    Answer(byte[] bytes) {
      this.bytes = bytes;
    }

    int size() {
      return bytes.length;
    }

    int len() {
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    int error() {
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    long unique() {
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
    }

    /** Checks the header: len is what was written, error and unique as given, and the body's size. */
    Answer assertHeader(long unique, int error, int bodyLength) {
      assertEquals(bytes.length, len(), "fuse_out_header.len must be the bytes written");
      assertEquals(error, error(), "fuse_out_header.error");
      assertEquals(unique, unique(), "fuse_out_header.unique");
      assertEquals(FuseH.OUT_HEADER + bodyLength, bytes.length, "answer length (16-byte header + body)");
      return this;
    }

    Answer assertOk(long unique, int bodyLength) {
      return assertHeader(unique, 0, bodyLength);
    }

    /** A failure: -errno and nothing after the 16-byte header. */
    Answer assertError(long unique, int errno) {
      return assertHeader(unique, -errno, 0);
    }

    /** Reads the body, field by field, from just after the header. */
    Fields body() {
      return new Fields(bytes, FuseH.OUT_HEADER);
    }
  }

  /** A cursor over little-endian fields. */
  static final class Fields {
    private final ByteBuffer buffer;

    Fields(byte[] bytes, int start) {
      buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      buffer.position(start);
    }

    int position() {
      return buffer.position() - FuseH.OUT_HEADER;
    }

    int remaining() {
      return buffer.remaining();
    }

    int u16() {
      return buffer.getShort() & 0xffff;
    }

    int u32() {
      return buffer.getInt();
    }

    long u64() {
      return buffer.getLong();
    }

    byte[] bytes(int length) {
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      return bytes;
    }

    String string(int length) {
      return new String(bytes(length), StandardCharsets.UTF_8);
    }
  }
}
