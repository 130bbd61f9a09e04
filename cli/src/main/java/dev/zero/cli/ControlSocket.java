package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.tiering.Residency;
import dev.zero.tiering.TierReport;
import dev.zero.tiering.TieringEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The mount process owns the store (MapDB opens its file in one process only), so other
 * commands ask it over a Unix socket in the cache directory, mode 0600. One request per
 * connection, one line; the answer is lines, each a word and its data:
 * {@code total BYTES} pending upload, {@code line TEXT} to print, {@code progress N N N N N N N N N}
 * (a {@link TierReport}), {@code recalled FILES TOTAL_FILES BYTES TOTAL_BYTES} (a pin or fetch),
 * and last {@code done EXIT_CODE}.
 */
final class ControlSocket implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ControlSocket.class.getName());
  static final String TIER = "tier";
  static final String STATUS = "status";
  static final String GC = "gc";
  static final String BACKUP = "backup";
  static final String SYNC = "sync";
  /** ls, status PATH, pin, unpin, evict, fetch: a {@link ResidencyWork.Request} follows. */
  static final String RESIDENCY = "residency";

  private final Path path;
  private final ServerSocketChannel server;
  private final InodeStore store;
  private final TieringEngine engine;

  private ControlSocket(Path path, ServerSocketChannel server, InodeStore store, TieringEngine engine) {
    this.path = path;
    this.server = server;
    this.store = store;
    this.engine = engine;
  }

  static Path pathIn(Path cache) {
    return cache.resolve("control.sock");
  }

  /** Starts answering requests on the socket in {@code cache}. */
  static ControlSocket serve(Path cache, InodeStore store, TieringEngine engine) throws IOException {
    Path path = pathIn(cache);
    Files.deleteIfExists(path); // left by a process that died; we hold the cache lock
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    ControlSocket socket = new ControlSocket(path, server, store, engine);
    Thread acceptor = new Thread(socket::acceptLoop, "zero-control");
    acceptor.setDaemon(true);
    acceptor.start();
    return socket;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread handler = new Thread(() -> answer(client), "zero-control-request");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return; // closed at unmount
      }
    }
  }

  private void answer(SocketChannel client) {
    try (client;
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(Channels.newOutputStream(client), StandardCharsets.UTF_8), true)) {
      String request = in.readLine();
      if (TIER.equals(request)) {
        out.println("total " + store.tieringCounts().dirtyBytes());
        TierReport report = engine.runOnce(progress -> out.println("progress " + encode(progress)), true);
        report.problems().forEach(problem -> out.println("problem " + oneLine(problem)));
        report.notices().forEach(notice -> out.println("notice " + oneLine(notice)));
        out.println("progress " + encode(report));
        out.println("done " + (report.errors() == 0 ? 0 : 1));
      } else if (BACKUP.equals(request)) {
        out.println("line " + BackupCommand.summary(engine.backUpNow()));
        out.println("done 0");
      } else if (GC.equals(request)) {
        int exitCode = GcCommand.collect(engine, line -> out.println("line " + line));
        out.println("done " + exitCode);
      } else if (SYNC.equals(request)) {
        int exitCode = SyncCommand.sync(store, engine, line -> out.println("line " + line));
        out.println("done " + exitCode);
      } else if (request != null && request.startsWith(RESIDENCY + " ")) {
        ResidencyWork.Request work = ResidencyWork.Request.decode(request.substring(RESIDENCY.length() + 1));
        int exitCode = ResidencyWork.run(work, new Residency(store, engine), new ResidencyWork.Output() {
          @Override
          public void line(String text) {
            out.println("line " + oneLine(text));
          }

          @Override
          public void recalled(long files, long totalFiles, long bytes, long totalBytes) {
            out.println("recalled " + files + " " + totalFiles + " " + bytes + " " + totalBytes);
          }
        });
        out.println("done " + exitCode);
      } else if (STATUS.equals(request)) {
        StatusReport.lines(store, engine).forEach(line -> out.println("line " + line));
        out.println("done 0");
      } else {
        out.println("line unknown request '" + request + "'");
        out.println("done 2");
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "control request failed: " + e);
    }
  }

  /** A client's view of one request: lines to print and progress to show. */
  interface Listener {
    void line(String text);

    /** Before a tiering pass: the bytes waiting to be uploaded. */
    default void total(long pendingBytes) {}

    default void progress(TierReport report) {}

    /** During a pin or fetch: files and bytes recalled so far, of how many. */
    default void recalled(long files, long totalFiles, long bytes, long totalBytes) {}
  }

  /** Sends {@code request} to the mount process of {@code cache}; returns its exit code. */
  static int request(Path cache, String request, Listener listener) throws UserError {
    Path path = pathIn(cache);
    List<String> problems = new ArrayList<>();
    List<String> notices = new ArrayList<>();
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8), true)) {
      out.println(request);
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String data = space < 0 ? "" : line.substring(space + 1);
        switch (word) {
          case "total" -> listener.total(Long.parseLong(data));
          case "line" -> listener.line(data);
          case "problem" -> problems.add(data);
          case "notice" -> notices.add(data);
          case "progress" -> listener.progress(decode(data, problems, notices));
          case "recalled" -> {
            String[] n = data.split(" ");
            listener.recalled(Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2]), Long.parseLong(n[3]));
          }
          case "done" -> {
            return Integer.parseInt(data);
          }
          default -> listener.line(line);
        }
      }
      throw new UserError(1, "the mount process of " + cache + " closed the connection early; see its log.");
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cache " + cache + " is in use, but its mount process does not answer on " + path + " (" + e.getMessage() + "); is it a Zero mount of this version?");
    }
  }

  private static String encode(TierReport r) {
    return r.uploadedFiles() + " " + r.uploadedBytes() + " " + r.evictedFiles() + " " + r.evictedBytes() + " "
        + r.recalledFiles() + " " + r.recalledBytes() + " " + r.deletedObjects() + " " + r.deletedBytes() + " " + r.errors();
  }

  /** The counts of a progress line, with the problems and notices sent before it. */
  private static TierReport decode(String data, List<String> problems, List<String> notices) {
    String[] n = data.split(" ");
    return new TierReport(Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2]), Long.parseLong(n[3]),
        Long.parseLong(n[4]), Long.parseLong(n[5]), Long.parseLong(n[6]), Long.parseLong(n[7]), Integer.parseInt(n[8]),
        problems, notices);
  }

  /** The protocol is one message a line. */
  private static String oneLine(String text) {
    return text.replace('\n', ' ');
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(path);
  }
}
