package dev.zero.fusekernel;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One entry of FUSE over io_uring (kernel 6.14+): the kernel writes a request into the entry's
 * buffers and completes its command; the answer goes back with the command that also fetches
 * the next request, so each request costs one {@code io_uring_enter}.
 *
 * <p>The entry's header block ({@code struct fuse_uring_req_header}) holds the request's
 * {@code fuse_in_header}, its opcode's own struct and the entry's commit id; names and written
 * data come in the payload buffer. {@link #read} lays them out as a read of /dev/fuse would,
 * so requests decode the same way from either. The payload buffer is the body of
 * {@link #answers}, so an answer is built in place and sent without a copy.
 */
final class RingChannel implements RequestChannel, AutoCloseable {
  private static final int CMD_REGISTER = 1;
  private static final int CMD_COMMIT_AND_FETCH = 2;
  /** struct fuse_uring_req_header: in_out[128], op_in[128], then struct fuse_uring_ent_in_out. */
  private static final int HEADERS = 288;
  private static final int OP_IN = 128;
  private static final int COMMIT_ID = 264;
  private static final int PAYLOAD_SIZE = 272;
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  private final IoUring ring;
  private final int deviceFd;
  private final int queue;
  private final ByteBuffer headers = ByteBuffer.allocateDirect(HEADERS).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer answers;
  private final ByteBuffer iovecs = ByteBuffer.allocateDirect(32).order(ByteOrder.LITTLE_ENDIAN);
  /** The commit id of the request answered last, sent back with the fetch of the next. */
  private long commitId;

  /** An entry of {@code queue} (a CPU's number) of the connection on {@code deviceFd}. */
  RingChannel(int deviceFd, int queue, int payloadSize) throws IOException {
    this.deviceFd = deviceFd;
    this.queue = queue;
    this.ring = new IoUring(4);
    answers = ByteBuffer.allocateDirect(Protocol.OUT_HEADER + payloadSize).order(ByteOrder.LITTLE_ENDIAN);
    iovecs.putLong(0, MEMORY.getDirectBufferAddress(headers)).putLong(8, HEADERS);
    iovecs.putLong(16, MEMORY.getDirectBufferAddress(answers) + Protocol.OUT_HEADER).putLong(24, payloadSize);
    ByteBuffer sqe = command(CMD_REGISTER);
    sqe.putLong(16, MEMORY.getDirectBufferAddress(iovecs)).putInt(24, 2);
  }

  /** The CPU whose requests this entry takes. */
  int queue() {
    return queue;
  }

  /** The buffer answers are built in: header first, then the body, which is the payload buffer. */
  ByteBuffer answers() {
    return answers;
  }

  private ByteBuffer command(int op) {
    ByteBuffer sqe = ring.submission();
    sqe.put(0, (byte) IoUring.OP_URING_CMD).putInt(4, deviceFd).putInt(8, op);
    sqe.putLong(56, commitId).putShort(64, (short) queue); // struct fuse_uring_cmd_req at 48
    return sqe;
  }

  @Override
  public long read(ByteBuffer in) {
    long completed;
    do {
      int result = ring.submitAndWait();
      if (result < 0) {
        return result;
      }
    } while ((completed = ring.completion()) == Long.MIN_VALUE);
    if (completed < 0) {
      return completed == -Errors.ENOTCONN ? -Errors.ENODEV : completed; // ENOTCONN: the connection ended
    }
    commitId = headers.getLong(COMMIT_ID);
    return toDeviceLayout(headers, answers, in);
  }

  /**
   * Lays out the request in an entry's {@code headers} and payload (the body of {@code answers})
   * in {@code in} as /dev/fuse gives it: {@code fuse_in_header}, the opcode's struct, the payload.
   * Returns its length.
   */
  static int toDeviceLayout(ByteBuffer headers, ByteBuffer answers, ByteBuffer in) {
    int payload = headers.getInt(PAYLOAD_SIZE);
    int length = headers.getInt(0);
    int opSize = length - Protocol.IN_HEADER - payload;
    in.put(0, headers, 0, Protocol.IN_HEADER);
    in.put(Protocol.IN_HEADER, headers, OP_IN, opSize);
    in.put(Protocol.IN_HEADER + opSize, answers, Protocol.OUT_HEADER, payload);
    return length;
  }

  /** Sends the answer built in {@link #answers} with the next {@link #read}. */
  @Override
  public int write(ByteBuffer out, int length) {
    toEntryLayout(out, length, headers);
    command(CMD_COMMIT_AND_FETCH);
    return 0;
  }

  /**
   * Puts the {@code fuse_out_header} of the answer in {@code answers} (whose body is already the
   * entry's payload) into the entry's {@code headers}, with the body's size.
   */
  static void toEntryLayout(ByteBuffer answers, int length, ByteBuffer headers) {
    headers.put(0, answers, 0, Protocol.OUT_HEADER);
    headers.putInt(PAYLOAD_SIZE, length - Protocol.OUT_HEADER);
  }

  @Override
  public void close() {
    ring.close();
  }
}
