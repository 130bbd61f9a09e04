package dev.zero.tiering;

/** Byte counts for people. */
public final class Bytes {
  private Bytes() {}

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String units = "KMGTPE";
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format("%.1f %siB", bytes / (double) (1L << (10 * unit)), units.charAt(unit - 1));
  }
}
