package dev.zero.fusekernel;

import dev.zero.fusekernel.KernelMessages.Answer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * /dev/fuse without the kernel: hands out queued requests, records every write, and once
 * {@link #end} is reached answers reads with ENODEV, as the kernel does after an unmount.
 */
final class FakeDevice implements FuseDevice {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> requests = new LinkedBlockingQueue<>();
  private final List<byte[]> writes = Collections.synchronizedList(new ArrayList<>());
  private final List<String> ioctls = Collections.synchronizedList(new ArrayList<>());
  private volatile int smallestReadBuffer = Integer.MAX_VALUE;
  private volatile boolean closed;
  /** What the next ioctl returns. */
  volatile int ioctlResult;

  @Override
  public int fd() {
    return -1;
  }

  /** A device that hands out {@code requests} and then reports the unmount. */
  static FakeDevice of(byte[]... requests) {
    FakeDevice device = new FakeDevice();
    for (byte[] request : requests) {
      device.add(request);
    }
    device.end();
    return device;
  }

  void add(byte[] request) {
    requests.add(request);
  }

  /** After the requests added so far, reads fail with ENODEV. */
  void end() {
    requests.add(END);
  }

  @Override
  public long read(ByteBuffer buffer) {
    smallestReadBuffer = Math.min(smallestReadBuffer, buffer.remaining());
    byte[] request;
    try {
      request = requests.poll(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -FuseH.ENODEV;
    }
    if (request == null || request == END) {
      requests.add(END); // every request thread sees the unmount
      return -FuseH.ENODEV;
    }
    if (request.length > buffer.remaining()) {
      return -FuseH.EINVAL; // the kernel refuses a read into a buffer too small for the request
    }
    buffer.put(0, request);
    return request.length;
  }

  @Override
  public int write(ByteBuffer buffer, int length) {
    byte[] copy = new byte[length];
    buffer.get(0, copy);
    writes.add(copy);
    return 0;
  }

  @Override
  public int ioctl(long request, int[] argument) {
    ioctls.add(Long.toHexString(request) + " " + Arrays.toString(argument));
    return ioctlResult;
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean closed() {
    return closed;
  }

  int smallestReadBuffer() {
    return smallestReadBuffer;
  }

  List<String> ioctls() {
    synchronized (ioctls) {
      return List.copyOf(ioctls);
    }
  }

  List<Answer> answers() {
    synchronized (writes) {
      return writes.stream().map(Answer::new).toList();
    }
  }

  /** Waits up to 2 s for {@code count} writes; returns those there are by then. */
  List<Answer> awaitAnswers(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (writes.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return answers();
  }
}
