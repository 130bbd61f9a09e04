package dev.zero.cli;

import dev.zero.store.FsException;
import dev.zero.store.Placement;
import dev.zero.tiering.Bytes;
import dev.zero.tiering.Residency;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The work of ls, status PATH, pin, unpin, evict and fetch, done where the store is open (the
 * mount process, or the command itself when nothing is mounted), and what each prints.
 */
final class ResidencyWork {
  static final String LS = "ls";
  static final String STATUS = "status";
  static final String PIN = "pin";
  static final String UNPIN = "unpin";
  static final String EVICT = "evict";
  static final String FETCH = "fetch";

  private ResidencyWork() {}

  /** Where the lines and the recall progress go. */
  interface Output {
    void line(String text);

    void recalled(long files, long totalFiles, long bytes, long totalBytes);
  }

  /** One request: the verb, -R, and the paths inside the filesystem. */
  record Request(String verb, boolean recursive, List<String> paths) {
    /** As one line of the control socket's protocol: each path URL-encoded, so any name fits. */
    String encode() {
      StringBuilder line = new StringBuilder(ControlSocket.RESIDENCY + " " + verb + " " + recursive);
      for (String path : paths) {
        line.append(' ').append(URLEncoder.encode(path, StandardCharsets.UTF_8));
      }
      return line.toString();
    }

    /** Reads what {@link #encode} wrote, after the first word. */
    static Request decode(String arguments) {
      String[] words = arguments.split(" ", -1); // -1: an empty path (the root) is a path too
      List<String> paths = new ArrayList<>();
      for (int i = 2; i < words.length; i++) {
        paths.add(URLDecoder.decode(words[i], StandardCharsets.UTF_8));
      }
      return new Request(words[0], Boolean.parseBoolean(words[1]), paths);
    }
  }

  /** Does {@code request}; returns the exit code. */
  static int run(Request request, Residency residency, Output out) {
    List<String> paths = request.paths();
    try {
      switch (request.verb()) {
        case LS -> {
          for (Residency.Found found : residency.list(paths, request.recursive())) {
            out.line(lsLine(found));
          }
          return 0;
        }
        case STATUS -> {
          for (String path : paths) {
            status(path, residency.sum(path), out);
          }
          return 0;
        }
        case PIN -> {
          try {
            Residency.Outcome outcome = residency.pin(paths, out::recalled);
            out.line("pin: pinned; recalled " + outcome.files() + " files (" + Bytes.human(outcome.bytes()) + ")");
            return failures("pin", outcome, out);
          } catch (Residency.OverTargetException e) {
            out.line("pin: refused: " + e.getMessage());
            return 1;
          }
        }
        case UNPIN -> {
          out.line("unpin: " + residency.unpin(paths) + " files and directories unpinned");
          return 0;
        }
        case FETCH -> {
          Residency.Outcome outcome = residency.fetch(paths, out::recalled);
          out.line("fetch: recalled " + outcome.files() + " files (" + Bytes.human(outcome.bytes()) + ")");
          return failures("fetch", outcome, out);
        }
        case EVICT -> {
          Residency.Outcome outcome = residency.evict(paths);
          out.line("evict: evicted " + outcome.files() + " files (" + Bytes.human(outcome.bytes()) + ")");
          outcome.skipped().forEach(skipped -> out.line("evict: skipped " + skipped));
          return failures("evict", outcome, out);
        }
        default -> {
          out.line("unknown request '" + request.verb() + "'");
          return 2;
        }
      }
    } catch (FsException e) {
      out.line(request.verb() + ": " + e.getMessage() + "; check the path.");
      return 1;
    }
  }

  /** STATE PIN LOCAL SIZE PATH; STATE is "-" for what has no content (directories, symlinks). */
  private static String lsLine(Residency.Found found) {
    Placement placement = found.placement();
    String state = placement.residence() == null ? "-" : placement.residence().word();
    return String.format("%-8s %-8s %10s %10s  %s", state, placement.pinned() ? "pinned" : "-",
        Bytes.human(placement.localBytes()), Bytes.human(placement.size()), found.path().isEmpty() ? "/" : found.path());
  }

  private static void status(String path, Residency.Totals totals, Output out) {
    out.line((path.isEmpty() ? "/" : path) + ":");
    out.line(count("local, not uploaded:", totals.files(Placement.Residence.LOCAL), totals.bytes(Placement.Residence.LOCAL)));
    out.line(count("local and uploaded:", totals.files(Placement.Residence.SYNCED), totals.bytes(Placement.Residence.SYNCED)));
    out.line(count("remote only:", totals.files(Placement.Residence.REMOTE), totals.bytes(Placement.Residence.REMOTE)));
    out.line(count("partly local:", totals.files(Placement.Residence.PARTIAL), totals.bytes(Placement.Residence.PARTIAL)));
    out.line(count("pinned:", totals.pinnedFiles(), totals.pinnedBytes()));
  }

  private static String count(String label, long files, long bytes) {
    return String.format("  %-22s %d files, %s", label, files, Bytes.human(bytes));
  }

  private static int failures(String verb, Residency.Outcome outcome, Output out) {
    outcome.failures().forEach(failure -> out.line(verb + ": error: " + failure));
    return outcome.failures().isEmpty() ? 0 : 1;
  }
}
