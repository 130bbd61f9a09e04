package dev.zero.fusekernel;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mounted FUSE connection: reads the kernel's requests from /dev/fuse, decodes them for
 * the {@link FileSystem}, and writes its answers back. Each request thread owns its buffers
 * and answer objects, so the steady state makes no garbage of its own.
 *
 * <p>{@link MountOptions#threads} threads serve, and more only while they cannot keep up: the
 * kernel hands each request to the thread that has waited longest, so every extra waiting
 * thread spreads the requests over more threads and CPUs, and each costs more (measured here:
 * one thread instead of sixteen cut the CPU per unlink by a third). A watchdog looks every
 * {@link #TICK_MILLIS} and starts another thread when
 * <ul>
 *   <li>the threads were busy answering all the time for {@link #BUSY_TICKS} ticks in a row
 *       (several processes at once), up to one thread per CPU beside those stuck; or
 *   <li>every thread has been inside one request for a whole tick (a read waiting for a recall
 *       from the remote, a slow fsync), up to {@link #MAX_THREADS}, so a slow request never
 *       holds up the rest of the mount.
 * </ul>
 * When a whole thread's worth of time went unused for {@link #QUIET_TICKS} ticks in a row, one
 * thread started this way ends.
 */
public final class FuseServer implements Connection {
  private static final System.Logger LOG = System.getLogger(FuseServer.class.getName());
  private static final long FUSE_DEV_IOC_BACKING_OPEN = 0x4010e501L;
  private static final long FUSE_DEV_IOC_BACKING_CLOSE = 0x4004e502L;
  private static final int BUFFER_SIZE = MountOptions.MAX_WRITE + Protocol.PAGE;
  /** Entries per io_uring queue, and in all: 32 entries hold 64 MiB of buffers. */
  private static final int RING_ENTRIES_PER_QUEUE = 4;
  private static final int RING_ENTRIES = 32;
  /** Each thread holds two buffers of about 1 MiB: 16 threads cost 32 MiB of direct memory. */
  static final int MAX_THREADS = 16;
  /** How often the watchdog looks, and how long every thread may be stuck before another starts. */
  static final long TICK_MILLIS = 10;
  /** Ticks of every thread busy before another starts for the load. */
  static final int BUSY_TICKS = 3;
  /** Ticks with a whole thread's worth of time unused before a thread started by the watchdog ends. */
  static final int QUIET_TICKS = 50;
  private static final int CPUS = Runtime.getRuntime().availableProcessors();

  private final FuseDevice device;
  private final Path mountpoint;
  private final MountOptions options;
  private final FileSystem fs;
  private final int maxThreads;
  private final BlockingQueue<ByteBuffer> notifications = new LinkedBlockingQueue<>();
  private volatile boolean passthrough;
  /** Whether requests come over io_uring, one ring per CPU, once every CPU's ring has an entry. */
  private boolean ioUring;
  /** Whether a ring thread stopped on an error, which is logged once, not once per thread. */
  private final AtomicBoolean ringFailed = new AtomicBoolean();
  /** The request threads serving now. */
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  /** Time the threads that ended spent answering requests, so the total never goes back. */
  private final AtomicLong endedBusyNanos = new AtomicLong();
  /** Set by the watchdog for one thread started for a busy moment to end. */
  private final AtomicBoolean retireOne = new AtomicBoolean();

  FuseServer(FuseDevice device, Path mountpoint, MountOptions options, FileSystem fs) {
    this(device, mountpoint, options, fs, MAX_THREADS);
  }

  /** With at most {@code maxThreads} request threads: 1 answers requests one by one, in order. */
  FuseServer(FuseDevice device, Path mountpoint, MountOptions options, FileSystem fs, int maxThreads) {
    this.maxThreads = maxThreads;
    this.device = device;
    this.mountpoint = mountpoint;
    this.options = options;
    this.fs = fs;
  }

  /** Mounts {@code fs} on {@code mountpoint}; {@link #serve} then answers its requests. */
  public static FuseServer mount(Path mountpoint, MountOptions options, FileSystem fs) throws IOException {
    return new FuseServer(FuseDevice.of(Mounter.mount(mountpoint, options)), mountpoint, options, fs);
  }

  /** Answers requests until the filesystem is unmounted, then closes the connection. */
  public void serve() throws IOException {
    try {
      Worker first = new Worker(true);
      first.thread = Thread.currentThread();
      if (!first.negotiate()) {
        return; // unmounted before the kernel sent anything: nothing was served, nothing is owed
      }
      fs.init(this);
      Thread notifier = daemon(this::sendNotifications, "fuse-notify");
      workers.add(first);
      for (int i = 1; i < options.threads(); i++) {
        startWorker(true, maxThreads);
      }
      List<Thread> rings = ioUring ? startRings() : List.of();
      Thread watchdog = daemon(this::adjustThreads, "fuse-watchdog");
      try {
        first.loop();
      } finally {
        watchdog.interrupt(); // first, so that no thread starts after the unmount
        watchdog.join();
      }
      for (Worker worker : workers) {
        if (worker != first) {
          worker.thread.join();
        }
      }
      for (Thread ring : rings) {
        ring.join();
      }
      notifier.interrupt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      device.close();
    }
  }

  /**
   * Request threads over io_uring, each with a ring entry of its own, pinned to its entry's CPU:
   * the kernel queues a request on the queue of the CPU its caller runs on, and uses the rings
   * only once every CPU's queue has an entry. A queue gets several entries so that one slow
   * request (a recall, an fsync) does not hold up the other callers on that CPU; each entry costs
   * two request-sized buffers, so many-CPU machines get fewer per queue. FORGET and INTERRUPT
   * still come on /dev/fuse.
   */
  private List<Thread> startRings() {
    List<RingChannel> channels = new ArrayList<>();
    int cpus;
    int perQueue;
    try {
      cpus = Cpus.possible();
      perQueue = Math.max(1, Math.min(RING_ENTRIES_PER_QUEUE, RING_ENTRIES / cpus));
      for (int i = 0; i < cpus * perQueue; i++) {
        channels.add(new RingChannel(device.fd(), i / perQueue, MountOptions.MAX_WRITE));
      }
    } catch (IOException e) {
      channels.forEach(RingChannel::close);
      LOG.log(Level.WARNING, "FUSE requests stay on /dev/fuse: " + e.getMessage());
      return List.of();
    }
    LOG.log(Level.INFO, "FUSE requests over io_uring: " + cpus + " queues of " + perQueue + " entries");
    List<Thread> rings = new ArrayList<>();
    for (RingChannel channel : channels) {
      int cpu = channel.queue();
      long[] affinity = new long[cpu / 64 + 1];
      affinity[cpu / 64] = 1L << (cpu % 64);
      Worker worker = new Worker(true, channel, channel.answers());
      rings.add(daemon(() -> {
        // A CPU that is possible but offline refuses the pinning; it also sends no requests.
        Native.LIBC.sched_setaffinity(0, 8L * affinity.length, affinity);
        try {
          worker.loop();
        } catch (IOException e) {
          // Before the kernel moves to the rings (an entry refused), requests stay on /dev/fuse.
          if (ringFailed.compareAndSet(false, true)) {
            LOG.log(Level.ERROR, "FUSE over io_uring failed: " + e.getMessage());
          }
        } finally {
          channel.close();
        }
      }, "fuse-ring-" + cpu + "-" + rings.size() % perQueue));
    }
    return rings;
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Starts and ends request threads as the load asks (see the class comment). */
  private void adjustThreads() {
    long seenAt = System.nanoTime();
    long seenBusy = sample(seenAt).busyNanos();
    int busyTicks = 0;
    int quietTicks = 0;
    while (true) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return; // unmounted
      }
      long at = System.nanoTime();
      Sample sample = sample(at);
      long busy = sample.busyNanos();
      int running = sample.running();
      int stuck = sample.stuck();
      // How many threads' worth of time went to answering (a stuck one counts as busy).
      double load = (double) (busy - seenBusy) / Math.max(1, at - seenAt);
      if (stuck == running) {
        startWorker(false, maxThreads);
      }
      busyTicks = load > running - 0.1 ? busyTicks + 1 : 0;
      if (busyTicks >= BUSY_TICKS) {
        busyTicks = 0;
        startWorker(false, CPUS + stuck); // a stuck thread uses no CPU
      }
      quietTicks = load < running - 1 && running > sample.permanent() ? quietTicks + 1 : 0;
      if (quietTicks >= QUIET_TICKS) {
        quietTicks = 0;
        retireOne.set(true);
      }
      seenBusy = busy;
      seenAt = at;
    }
  }

  /**
   * What the watchdog sees at one tick: the time every thread so far spent answering, the
   * requests under way included; the threads, those that serve until the unmount, and those in
   * one request for a whole tick.
   */
  private record Sample(long busyNanos, int running, int permanent, int stuck) {}

  private Sample sample(long now) {
    long busy = endedBusyNanos.get();
    int running = 0;
    int permanent = 0;
    int stuck = 0;
    for (Worker worker : workers) {
      long started = worker.requestStartedAt;
      long inRequest = started == Worker.WAITING ? 0 : now - started;
      busy += worker.busyNanos + inRequest;
      running++;
      if (worker.permanent) {
        permanent++;
      }
      if (inRequest > TICK_MILLIS * 1_000_000) {
        stuck++;
      }
    }
    return new Sample(busy, running, permanent, stuck);
  }

  /**
   * Starts a request thread unless there are {@code limit} already; one not {@code permanent}
   * ends once it is not needed (see {@link Worker#retire}).
   */
  private synchronized void startWorker(boolean permanent, int limit) {
    if (workers.size() >= Math.min(limit, maxThreads)) {
      return;
    }
    Worker worker = new Worker(permanent);
    worker.thread = new Thread(worker::serveQuietly, "fuse-" + workers.size());
    worker.thread.setDaemon(true);
    workers.add(worker);
    worker.thread.start();
  }

  /** Asks the kernel to detach the mount; {@link #serve} returns once the last open file is closed. */
  public void unmount() throws IOException {
    Mounter.unmount(mountpoint);
  }

  /** Whether this process can mount without fusermount3 and use passthrough. */
  public static boolean privileged() {
    return Mounter.isRoot();
  }

  // ---- Connection ------------------------------------------------------------------------------

  @Override
  public boolean passthrough() {
    return passthrough;
  }

  @Override
  public int openBacking(int backingFd) throws FuseException {
    int id = device.ioctl(FUSE_DEV_IOC_BACKING_OPEN, new int[] {backingFd, 0, 0, 0});
    if (id < 0) {
      throw new FuseException(-id, "FUSE_DEV_IOC_BACKING_OPEN failed: " + Mounter.strerror(-id));
    }
    return id;
  }

  @Override
  public void closeBacking(int backingId) {
    int result = device.ioctl(FUSE_DEV_IOC_BACKING_CLOSE, new int[] {backingId});
    if (result < 0) {
      LOG.log(Level.WARNING, "FUSE_DEV_IOC_BACKING_CLOSE of " + backingId + " failed: " + Mounter.strerror(-result));
    }
  }

  @Override
  public void invalidateAttributes(long nodeId) {
    ByteBuffer notice = notice(Protocol.NOTIFY_INVAL_INODE, 24);
    notice.putLong(nodeId).putLong(-1).putLong(0); // offset -1: attributes only, not the page cache
    notifications.add(notice.flip());
  }

  @Override
  public void invalidateEntry(long parent, byte[] name) {
    ByteBuffer notice = notice(Protocol.NOTIFY_INVAL_ENTRY, 16 + name.length + 1);
    notice.putLong(parent).putInt(name.length).putInt(0).put(name).put((byte) 0);
    notifications.add(notice.flip());
  }

  private static ByteBuffer notice(int code, int bodyLength) {
    int length = Protocol.OUT_HEADER + bodyLength;
    ByteBuffer notice = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
    return notice.putInt(length).putInt(code).putLong(0);
  }

  /**
   * Notifications go from a thread of their own: the kernel may lock the directory or inode they
   * name, which a request being answered at that moment may hold.
   */
  private void sendNotifications() {
    try {
      while (true) {
        ByteBuffer notice = notifications.take();
        // ENOENT: the kernel no longer knows the node or name, so there is nothing to forget.
        int result = device.write(notice, notice.limit());
        if (result < 0 && result != -Errors.ENOENT) {
          LOG.log(Level.DEBUG, "notification failed: " + Mounter.strerror(-result));
        }
      }
    } catch (InterruptedException e) {
      // unmounted
    }
  }

  // ---- requests --------------------------------------------------------------------------------

  /** A request thread: its buffers, and the answer objects it hands the filesystem. */
  private final class Worker {
    private final RequestChannel channel;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer out;
    private final Request request = new Request();
    private final Entry entry = new Entry();
    private final Attr attr = new Attr();
    private final Opened opened = new Opened();
    private final Statfs statfs = new Statfs();
    private final SetAttr setAttr = new SetAttr();
    private final DirectoryListing listing = new DirectoryListing();
    /** Where the name read last ended: the next name of the request starts after it. */
    private int nameEnd;

    /** A {@link #requestStartedAt} for a thread waiting for its next request. */
    static final long WAITING = Long.MIN_VALUE;
    /** Whether this thread serves until the unmount, rather than only for a busy moment. */
    private final boolean permanent;
    /** Set before the worker is published. */
    Thread thread;
    /** When the request this thread answers now came (System.nanoTime), or {@link #WAITING}. */
    volatile long requestStartedAt = WAITING;
    /** Time this thread spent answering requests; written by this thread only. */
    volatile long busyNanos;

    /** A thread reading /dev/fuse. */
    Worker(boolean permanent) {
      this(permanent, device, ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A thread answering from {@code channel}, building its answers in {@code out}. */
    Worker(boolean permanent, RequestChannel channel, ByteBuffer out) {
      this.permanent = permanent;
      this.channel = channel;
      this.out = out;
    }

    /** Reads the next request; false once the filesystem is unmounted. */
    private boolean next() throws IOException {
      while (true) {
        in.clear();
        long length = channel.read(in);
        if (length >= Protocol.IN_HEADER) {
          in.limit((int) length);
          request.opcode = in.getInt(4);
          request.unique = in.getLong(8);
          request.nodeId = in.getLong(16);
          request.uid = in.getInt(24);
          request.gid = in.getInt(28);
          request.pid = in.getInt(32);
          return true;
        }
        int errno = length < 0 ? (int) -length : Errors.EIO;
        if (errno == Errors.ENODEV) {
          return false;
        }
        // ENOENT: the request was interrupted before we read it; EINTR, EAGAIN: try again.
        if (errno != Errors.ENOENT && errno != Errors.EINTR && errno != Errors.EAGAIN) {
          throw new IOException("reading a request failed: " + Mounter.strerror(errno));
        }
      }
    }

    /**
     * Answers the kernel's INIT, which is always the first request; false if the filesystem was
     * unmounted before it came (a mount undone at once: the kernel then sends no INIT).
     */
    boolean negotiate() throws IOException {
      while (true) {
        if (!next()) {
          return false;
        }
        if (request.opcode != Protocol.INIT) {
          throw new IOException("the kernel's first request was " + request.opcode + ", not INIT");
        }
        int major = in.getInt(40);
        int kernelMinor = in.getInt(44);
        int maxReadahead = in.getInt(48);
        long offered = in.getInt(52) & 0xffffffffL;
        if ((offered & Protocol.INIT_EXT) != 0) {
          offered |= (in.getInt(56) & 0xffffffffL) << 32;
        }
        begin();
        if (major > Protocol.KERNEL_MAJOR) {
          out.putInt(Protocol.KERNEL_MAJOR).putInt(Protocol.KERNEL_MINOR); // the kernel asks again in our version
          fill(Protocol.INIT_OUT - 8);
          send(0);
          continue;
        }
        if (major < Protocol.KERNEL_MAJOR || kernelMinor < 31) {
          send(-Errors.EPROTO);
          throw new IOException("the kernel speaks FUSE " + major + "." + kernelMinor + "; Zero needs 7.31 or newer");
        }
        int minor = Math.min(kernelMinor, Protocol.KERNEL_MINOR);
        long wanted = Protocol.ASYNC_READ | Protocol.ATOMIC_O_TRUNC | Protocol.BIG_WRITES | Protocol.DO_READDIRPLUS
            | Protocol.READDIRPLUS_AUTO | Protocol.ASYNC_DIO | Protocol.PARALLEL_DIROPS | Protocol.MAX_PAGES
            | Protocol.CACHE_SYMLINKS | Protocol.NO_OPENDIR_SUPPORT | Protocol.HANDLE_KILLPRIV_V2 | Protocol.INIT_EXT;
        if (options.passthrough()) {
          wanted |= Protocol.PASSTHROUGH;
        }
        if (options.ioUring()) {
          wanted |= Protocol.OVER_IO_URING;
        }
        long agreed = wanted & offered;
        passthrough = (agreed & Protocol.PASSTHROUGH) != 0;
        ioUring = (agreed & Protocol.OVER_IO_URING) != 0;
        out.putInt(Protocol.KERNEL_MAJOR).putInt(minor).putInt(maxReadahead).putInt((int) agreed);
        out.putShort((short) 64).putShort((short) 48); // max_background, congestion_threshold
        out.putInt(MountOptions.MAX_WRITE).putInt(1); // max_write, time_gran (ns)
        out.putShort((short) MountOptions.MAX_PAGES).putShort((short) 0);
        out.putInt((int) (agreed >>> 32)).putInt(passthrough ? 1 : 0); // flags2, max_stack_depth
        fill(24);
        send(0);
        LOG.log(Level.DEBUG, "FUSE " + major + "." + kernelMinor + " offered flags " + Long.toHexString(offered)
            + "; agreed " + Long.toHexString(agreed));
        return true;
      }
    }

    /** The life of a thread started after the first: serves, then leaves the list of workers. */
    void serveQuietly() {
      try {
        loop();
      } catch (IOException e) {
        LOG.log(Level.ERROR, "FUSE request thread stopped: " + e.getMessage());
      } finally {
        workers.remove(this);
        endedBusyNanos.addAndGet(busyNanos);
      }
    }

    /** Answers requests until the unmount, or until this thread is not needed any more. */
    void loop() throws IOException {
      while (next()) {
        long begun = System.nanoTime();
        requestStartedAt = begun;
        try {
          begin();
          int error = dispatch();
          if (options.debug()) {
            LOG.log(Level.INFO, request + " -> " + error);
          }
        } catch (FuseException e) {
          send(-e.errno());
          if (options.debug()) {
            LOG.log(Level.INFO, request + " -> " + -e.errno() + " (" + e.getMessage() + ")");
          }
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, "internal error answering " + request + ", answering EIO: " + e, e);
          send(-Errors.EIO);
        }
        busyNanos += System.nanoTime() - begun; // this thread alone writes it
        requestStartedAt = WAITING;
        if (retire()) {
          return;
        }
      }
    }

    /** A thread started for a busy moment ends when the watchdog asks one to. */
    private boolean retire() {
      return !permanent && retireOne.compareAndSet(true, false);
    }

    /** Answers one request (except the few the kernel expects no answer to); returns the error sent. */
    private int dispatch() throws FuseException {
      long node = request.nodeId;
      switch (request.opcode) {
        case Protocol.LOOKUP -> {
          byte[] name = name(40);
          entry.clear();
          fs.lookup(request, node, name, entry);
          return sendEntry();
        }
        case Protocol.FORGET -> {
          fs.forget(node, in.getLong(40));
          return 0; // no answer
        }
        case Protocol.BATCH_FORGET -> {
          int count = in.getInt(40);
          for (int i = 0, at = 48; i < count && at + 16 <= in.limit(); i++, at += 16) {
            fs.forget(in.getLong(at), in.getLong(at + 8));
          }
          return 0; // no answer
        }
        case Protocol.GETATTR -> {
          long fh = (in.getInt(40) & Protocol.GETATTR_FH) != 0 ? in.getLong(48) : -1;
          attr.clear();
          return sendAttr(fs.getattr(request, node, fh, attr));
        }
        case Protocol.SETATTR -> {
          setAttr.decode(in, 40);
          attr.clear();
          return sendAttr(fs.setattr(request, node, setAttr, attr));
        }
        case Protocol.READLINK -> {
          byte[] target = fs.readlink(request, node);
          out.put(target);
          return send(0);
        }
        case Protocol.SYMLINK -> {
          byte[] name = name(40);
          byte[] target = name(nameEnd);
          entry.clear();
          fs.symlink(request, node, name, target, entry);
          return sendEntry();
        }
        case Protocol.MKNOD -> {
          entry.clear();
          fs.mknod(request, node, name(56), in.getInt(40), in.getInt(44), in.getInt(48), entry);
          return sendEntry();
        }
        case Protocol.MKDIR -> {
          entry.clear();
          fs.mkdir(request, node, name(48), in.getInt(40), in.getInt(44), entry);
          return sendEntry();
        }
        case Protocol.UNLINK -> {
          fs.unlink(request, node, name(40));
          return send(0);
        }
        case Protocol.RMDIR -> {
          fs.rmdir(request, node, name(40));
          return send(0);
        }
        case Protocol.RENAME -> {
          byte[] name = name(48);
          fs.rename(request, node, name, in.getLong(40), name(nameEnd), 0);
          return send(0);
        }
        case Protocol.RENAME2 -> {
          byte[] name = name(56);
          fs.rename(request, node, name, in.getLong(40), name(nameEnd), in.getInt(48));
          return send(0);
        }
        case Protocol.LINK -> {
          entry.clear();
          fs.link(request, in.getLong(40), node, name(48), entry);
          return sendEntry();
        }
        case Protocol.OPEN -> {
          opened.clear();
          fs.open(request, node, in.getInt(40), in.getInt(44), opened);
          return sendOpened();
        }
        case Protocol.CREATE -> {
          entry.clear();
          opened.clear();
          fs.create(request, node, name(56), in.getInt(40), in.getInt(52), in.getInt(44), in.getInt(48), entry, opened);
          entry.encode(out);
          opened.encode(out);
          return send(0);
        }
        case Protocol.READ -> {
          int size = Math.min(in.getInt(56), out.capacity() - Protocol.OUT_HEADER);
          out.limit(Protocol.OUT_HEADER + size);
          int read = fs.read(request, node, in.getLong(40), in.getLong(48), size, out);
          out.limit(out.capacity()).position(Protocol.OUT_HEADER + read);
          return send(0);
        }
        case Protocol.WRITE -> {
          int size = in.getInt(56);
          int data = Protocol.IN_HEADER + 40;
          in.position(data).limit(data + size);
          int written = fs.write(request, node, in.getLong(40), in.getLong(48), in, in.getInt(60));
          out.putInt(written).putInt(0);
          return send(0);
        }
        case Protocol.FLUSH -> {
          fs.flush(request, node, in.getLong(40));
          return send(0);
        }
        case Protocol.FSYNC -> {
          fs.fsync(request, node, in.getLong(40), (in.getInt(48) & Protocol.FSYNC_FDATASYNC) != 0);
          return send(0);
        }
        case Protocol.RELEASE -> {
          fs.release(request, node, in.getLong(40), in.getInt(48));
          return send(0);
        }
        case Protocol.FALLOCATE -> {
          fs.fallocate(request, node, in.getLong(40), in.getLong(48), in.getLong(56), in.getInt(64));
          return send(0);
        }
        case Protocol.OPENDIR -> {
          opened.clear();
          fs.opendir(request, node, in.getInt(40), opened);
          return sendOpened();
        }
        case Protocol.READDIR, Protocol.READDIRPLUS -> {
          int size = Math.min(in.getInt(56), out.capacity() - Protocol.OUT_HEADER);
          listing.start(out, size, request.opcode == Protocol.READDIRPLUS);
          fs.readdir(request, node, in.getLong(40), in.getLong(48), listing);
          return send(0);
        }
        case Protocol.RELEASEDIR -> {
          fs.releasedir(request, node, in.getLong(40));
          return send(0);
        }
        case Protocol.FSYNCDIR -> {
          fs.fsyncdir(request, node, in.getLong(40), (in.getInt(48) & Protocol.FSYNC_FDATASYNC) != 0);
          return send(0);
        }
        case Protocol.STATFS -> {
          fs.statfs(request, node, statfs);
          statfs.encode(out);
          return send(0);
        }
        case Protocol.SETXATTR -> {
          int size = in.getInt(40);
          byte[] name = name(48);
          byte[] value = new byte[size];
          in.get(nameEnd, value);
          fs.setxattr(request, node, name, value, in.getInt(44));
          return send(0);
        }
        case Protocol.GETXATTR -> {
          int size = in.getInt(40);
          return sendXattr(fs.getxattr(request, node, name(48)), size);
        }
        case Protocol.LISTXATTR -> {
          int size = in.getInt(40);
          return sendXattr(fs.listxattr(request, node), size);
        }
        case Protocol.REMOVEXATTR -> {
          fs.removexattr(request, node, name(40));
          return send(0);
        }
        case Protocol.INTERRUPT -> {
          return 0; // requests run to their end; the kernel needs no answer to this
        }
        case Protocol.DESTROY -> {
          fs.destroy();
          return send(0);
        }
        default -> {
          // ACCESS among them: with default_permissions the kernel checks access itself.
          return send(-Errors.ENOSYS);
        }
      }
    }

    /** The NUL-terminated name starting at {@code at}. */
    private byte[] name(int at) throws FuseException {
      int end = at;
      int limit = in.limit();
      while (end < limit && in.get(end) != 0) {
        end++;
      }
      if (end == limit) {
        throw new FuseException(Errors.EINVAL, "a name without its NUL");
      }
      byte[] name = new byte[end - at];
      in.get(at, name);
      nameEnd = end + 1;
      return name;
    }

    private int sendEntry() {
      entry.encode(out);
      return send(0);
    }

    private int sendOpened() {
      opened.encode(out);
      return send(0);
    }

    private int sendAttr(long validNanos) {
      out.putLong(validNanos / 1_000_000_000L).putInt((int) (validNanos % 1_000_000_000L)).putInt(0);
      attr.encode(out);
      return send(0);
    }

    /** The xattr convention: size 0 asks for the length; a value longer than size is ERANGE. */
    private int sendXattr(byte[] value, int size) {
      if (size == 0) {
        out.putInt(value.length).putInt(0);
        return send(0);
      }
      if (value.length > size) {
        return send(-Errors.ERANGE);
      }
      out.put(value);
      return send(0);
    }

    private void begin() {
      out.clear();
      out.position(Protocol.OUT_HEADER);
    }

    private void fill(int zeros) {
      for (int i = 0; i < zeros; i++) {
        out.put((byte) 0);
      }
    }

    /** Sends the answer built since {@link #begin}, or only the header when {@code error} is not 0. */
    private int send(int error) {
      int length = error == 0 ? out.position() : Protocol.OUT_HEADER;
      out.putInt(0, length).putInt(4, error).putLong(8, request.unique);
      out.position(0).limit(length);
      // ENOENT: the request was interrupted and the kernel no longer waits for the answer.
      int result = channel.write(out, length);
      if (result < 0 && result != -Errors.ENOENT) {
        LOG.log(Level.WARNING, "answering " + request + " failed: " + Mounter.strerror(-result));
      }
      out.clear();
      return error;
    }
  }
}
