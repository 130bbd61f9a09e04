package dev.zero.cli;

import dev.zero.tiering.Bytes;
import dev.zero.tiering.TierReport;

/** Shows a tiering pass as it goes: a bar redrawn in place on a terminal, a summary line always. */
final class TierProgress implements ControlSocket.Listener {
  private static final int BAR_WIDTH = 30;

  private final boolean terminal = System.console() != null;
  private long pendingBytes;
  private TierReport last;

  @Override
  public void total(long pendingBytes) {
    this.pendingBytes = pendingBytes;
    this.last = null;
  }

  @Override
  public void line(String text) {
    System.out.println(text);
  }

  @Override
  public void progress(TierReport report) {
    last = report;
    if (!terminal) {
      return;
    }
    double done = pendingBytes == 0 ? 1 : Math.min(1, report.uploadedBytes() / (double) pendingBytes);
    int filled = (int) (done * BAR_WIDTH);
    System.out.print("\r[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] "
        + String.format("%3.0f%%", done * 100) + " up " + report.uploadedFiles() + " files " + Bytes.human(report.uploadedBytes())
        + ", evicted " + report.evictedFiles() + ", recalled " + report.recalledFiles() + "   ");
    System.out.flush();
  }

  /** Ends the pass with its summary line. */
  void finish() {
    if (terminal && last != null) {
      System.out.println();
    }
    System.out.println("tier: " + (last == null ? "nothing to do" : last.summary()));
    if (last != null) {
      last.problems().forEach(problem -> System.out.println("tier: error: " + problem));
      last.notices().forEach(notice -> System.out.println("tier: notice: " + notice));
    }
  }
}
