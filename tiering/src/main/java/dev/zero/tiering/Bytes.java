package dev.zero.tiering;

/** Byte counts for people. */
public final class Bytes {
  private Bytes() {}

  /** In the configuration's unit, GB (10^9 bytes), and in GiB: "10.0 GB (9.3 GiB)". */
  public static String gigabytes(long bytes) {
    return String.format("%.2f GB (%s)", bytes / 1e9, human(bytes));
  }

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String units = "KMGTPE";
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format("%.1f %siB", bytes / (double) (1L << (10 * unit)), units.charAt(unit - 1));
  }
}
