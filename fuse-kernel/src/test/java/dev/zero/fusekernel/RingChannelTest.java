package dev.zero.fusekernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * FUSE over io_uring splits a request over an entry's header block and its payload buffer; the
 * server decodes it as /dev/fuse gives it, so the two layouts must carry the same bytes.
 */
class RingChannelTest {
  private static final int PAYLOAD = 1 << 16;

  /** The entry's buffers as the kernel fills them for {@code request}, whose op struct is {@code opSize} bytes. */
  private static ByteBuffer[] entry(byte[] request, int opSize) {
    ByteBuffer headers = ByteBuffer.allocate(FuseH.URING_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer answers = ByteBuffer.allocate(FuseH.OUT_HEADER + PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    int payload = request.length - FuseH.IN_HEADER - opSize;
    headers.put(0, request, 0, FuseH.IN_HEADER);
    headers.put(FuseH.URING_OP_IN, request, FuseH.IN_HEADER, opSize);
    headers.putLong(FuseH.URING_COMMIT_ID, 77).putInt(FuseH.URING_PAYLOAD_SZ, payload);
    answers.put(FuseH.OUT_HEADER, request, FuseH.IN_HEADER + opSize, payload);
    return new ByteBuffer[] {headers, answers};
  }

  private static byte[] asDeviceGivesIt(ByteBuffer[] entry) {
    ByteBuffer in = ByteBuffer.allocate(2 << 20).order(ByteOrder.LITTLE_ENDIAN);
    int length = RingChannel.toDeviceLayout(entry[0], entry[1], in);
    return Arrays.copyOf(in.array(), length);
  }

  @Test
  void aWriteComesWithItsStructInTheHeadersAndItsDataInThePayload() {
    byte[] data = "written over io_uring".getBytes(StandardCharsets.UTF_8);
    // struct fuse_write_in: fh, offset, size, write_flags, lock_owner, flags, padding
    byte[] write = KernelMessages.request(FuseH.WRITE, 9, 5)
        .u64(3).u64(4096).u32(data.length).u32(0).u64(0).u32(0).u32(0).bytes(data).build();
    assertArrayEquals(write, asDeviceGivesIt(entry(write, 40)));
  }

  @Test
  void aLookupHasNoStructAndItsNameInThePayload() {
    byte[] lookup = KernelMessages.request(FuseH.LOOKUP, 10, 1).name("a name").build();
    assertArrayEquals(lookup, asDeviceGivesIt(entry(lookup, 0)));
  }

  @Test
  void aGetattrHasItsStructOnly() {
    // struct fuse_getattr_in: getattr_flags, dummy, fh
    byte[] getattr = KernelMessages.request(FuseH.GETATTR, 11, 2).u32(FuseH.GETATTR_FH).u32(0).u64(8).build();
    assertArrayEquals(getattr, asDeviceGivesIt(entry(getattr, 16)));
  }

  @Test
  void anAnswerLeavesItsHeaderInTheHeadersAndItsBodyInThePayload() {
    ByteBuffer answers = ByteBuffer.allocate(FuseH.OUT_HEADER + PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    answers.putInt(0, FuseH.OUT_HEADER + 8).putInt(4, 0).putLong(8, 9).putLong(FuseH.OUT_HEADER, 21);
    ByteBuffer headers = ByteBuffer.allocate(FuseH.URING_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    RingChannel.toEntryLayout(answers, FuseH.OUT_HEADER + 8, headers);
    // struct fuse_out_header: len, error, unique
    assertEquals(FuseH.OUT_HEADER + 8, headers.getInt(0));
    assertEquals(0, headers.getInt(4));
    assertEquals(9, headers.getLong(8));
    assertEquals(8, headers.getInt(FuseH.URING_PAYLOAD_SZ));
  }
}
