package dev.zero.tiering;

import static dev.zero.tiering.SmallObjects.field;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.Identity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * This store's right to write to its filesystem's objects in a shared remote. Two things must
 * hold before any upload, backup or deletion: the remote's {@code NAME/filesystem.id} names the
 * same filesystem as the store (so a new cache never takes over, and never garbage-collects,
 * another filesystem that happens to use the same bucket and name), and {@code NAME/mount.lease}
 * names this process (so two machines never write one filesystem at once).
 *
 * <p>The lease has no heartbeat, so that an idle mount makes no remote calls: it is taken at
 * mount and dropped at unmount. A lease left by a process of this machine that is gone (a crash)
 * is taken over by itself; one left by another machine only when the user says that machine is
 * gone ({@code --take-over}). Before every backup and deletion the lease is read again, so a
 * process whose lease was taken over stops writing.
 */
public final class FilesystemClaim {
  private static final System.Logger LOG = System.getLogger(FilesystemClaim.class.getName());
  /** Why this store may not write to the remote's filesystem: a sentence saying what to do. */
  public static final class ConflictException extends IOException {
    ConflictException(String sentence) {
      super(sentence);
    }
  }

  /** Where Zero kept backups before filesystems had names; a new cache must not share a remote with one. */
  private static final String LEGACY_BACKUPS_PREFIX = "backups/";

  private final InodeStore store;
  private final Remote remote;
  private final FilesystemLayout layout;
  private final SmallObjects objects;
  private final boolean takeOver;
  private final Holder me = Holder.current();
  private volatile boolean claimed;

  public FilesystemClaim(InodeStore store, Remote remote, FilesystemLayout layout, Path scratch, boolean takeOver) {
    this.store = store;
    this.remote = remote;
    this.layout = layout;
    this.objects = new SmallObjects(remote, scratch);
    this.takeOver = takeOver;
  }

  public FilesystemLayout layout() {
    return layout;
  }

  /**
   * Establishes the claim if it is not yet: the identity, made now for a new filesystem, and the
   * lease. Throws ConflictException if the remote belongs to another filesystem or process, and
   * RemoteException if the remote cannot be reached (the caller tries again later).
   */
  public synchronized void ensure() throws IOException {
    if (claimed) {
      return;
    }
    Identity identity = checkIdentity();
    Lease lease = readLease();
    if (lease != null && !lease.holder.equals(me) && !takeOver && !lease.holder.isGoneFromThisMachine()) {
      throw new ConflictException("the filesystem '" + layout + "' is in use by " + lease.holder + " since " + lease.since
          + "; unmount it there first, or, if that machine is gone for good, mount with --take-over.");
    }
    objects.write(layout.leaseKey(), new Lease(identity.id(), me, Instant.now()).text());
    claimed = true;
  }

  /** Like {@link #ensure}, and then reads the lease again: it must still be this process's. */
  public synchronized void confirm() throws IOException {
    if (!claimed) {
      ensure();
      return;
    }
    Lease lease = readLease();
    if (lease == null || !lease.holder.equals(me)) {
      claimed = false;
      throw new ConflictException("the filesystem '" + layout + "' was taken over by "
          + (lease == null ? "nobody (its lease is gone)" : lease.holder + " at " + lease.since)
          + "; this process stops writing to the remote, so unmount it.");
    }
  }

  /** Drops the lease, if this process holds it, so that another machine may mount. */
  public synchronized void release() {
    if (!claimed) {
      return;
    }
    claimed = false;
    try {
      Lease lease = readLease();
      if (lease != null && lease.holder.equals(me)) {
        remote.delete(layout.leaseKey());
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot drop the mount lease of '" + layout + "' (" + e.getMessage()
          + "); the next mount on another machine needs --take-over");
    }
  }

  private Identity checkIdentity() throws IOException {
    Identity stored = store.identity();
    String remoteId = objects.read(layout.identityKey()).map(text -> field(text, "id")).orElse(null);
    if (stored != null) {
      if (!stored.name().equals(layout.name())) {
        throw new ConflictException("this cache holds the filesystem '" + stored.name() + "', but the configuration names '"
            + layout + "'; set filesystemName: " + stored.name() + " in config.yml.");
      }
      if (remoteId != null && !remoteId.equals(stored.id())) {
        throw new ConflictException("the remote's filesystem '" + layout + "' is another filesystem (id " + remoteId
            + ") than this cache's (id " + stored.id() + "); set filesystemName in config.yml to another name for this cache.");
      }
      if (remoteId == null) {
        writeIdentity(stored); // first claim cut short, or a remote that lost it: this cache's objects are still its own
      }
      return stored;
    }
    if (remoteId != null) {
      throw new ConflictException("the remote already holds the Zero filesystem '" + layout + "' (id " + remoteId
          + "); restore it into an empty cache with zero-cli restore, or set filesystemName in config.yml to start a new filesystem.");
    }
    if (store.isEmpty() && !remote.list(LEGACY_BACKUPS_PREFIX).isEmpty()) {
      throw new ConflictException("the remote holds a Zero filesystem made before filesystems had names (" + LEGACY_BACKUPS_PREFIX
          + " at its top level); use its old cache, or point this one at another bucket or remoteDirectory.");
    }
    Identity fresh = new Identity(layout.name(), UUID.randomUUID().toString());
    writeIdentity(fresh);
    store.setIdentity(fresh);
    return fresh;
  }

  /** The identity of the filesystem {@code layout} names in {@code remote}, or null if none is there. */
  public static Identity identityIn(Remote remote, FilesystemLayout layout, Path scratch) throws IOException {
    return new SmallObjects(remote, scratch).read(layout.identityKey())
        .map(text -> new Identity(layout.name(), field(text, "id"))).orElse(null);
  }

  private void writeIdentity(Identity identity) throws IOException {
    objects.write(layout.identityKey(), "id " + identity.id() + "\ncreated " + Instant.now() + "\n");
  }

  private Lease readLease() throws IOException {
    return objects.read(layout.leaseKey()).map(Lease::parse).orElse(null);
  }

  /** A process that may hold a lease: its machine, its host name for people, its pid and start time. */
  record Holder(String machine, String host, long pid, long startMillis) {
    static Holder current() {
      ProcessHandle self = ProcessHandle.current();
      return new Holder(machineId(), hostName(), self.pid(), startMillis(self));
    }

    /** True if this holder ran on this machine and its process is gone: its lease is stale. */
    boolean isGoneFromThisMachine() {
      if (!machine.equals(machineId())) {
        return false;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      return process.isEmpty() || !process.get().isAlive() || startMillis(process.get()) != startMillis;
    }

    String text() {
      return machine + " " + host + " " + pid + " " + startMillis;
    }

    static Holder parse(String text) {
      String[] parts = text.trim().split(" ");
      return new Holder(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
    }

    @Override
    public String toString() {
      return "pid " + pid + " on host " + host;
    }

    private static long startMillis(ProcessHandle process) {
      return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** systemd's machine id where there is one; the host name otherwise. */
    private static String machineId() {
      try {
        return Files.readString(Path.of("/etc/machine-id")).trim();
      } catch (IOException e) {
        return hostName();
      }
    }

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "unknown-host";
      }
    }
  }

  /** The content of {@code NAME/mount.lease}. */
  private record Lease(String filesystemId, Holder holder, Instant since) {
    String text() {
      return "filesystem " + filesystemId + "\nholder " + holder.text() + "\nsince " + since + "\n";
    }

    static Lease parse(String text) {
      try {
        return new Lease(field(text, "filesystem"), Holder.parse(field(text, "holder")), Instant.parse(field(text, "since")));
      } catch (RuntimeException e) {
        // An unreadable lease protects nothing; treat it as held by nobody alive.
        return null;
      }
    }
  }
}
