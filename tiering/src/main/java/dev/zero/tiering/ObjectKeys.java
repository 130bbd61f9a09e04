package dev.zero.tiering;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The keys (and download ranges) both remotes accept, and the order they list keys in. B2 takes any
 * UTF-8 name up to 1024 bytes without control characters; a directory can hold far fewer, so keys
 * are restricted to what both can store under the same name: '/'-separated segments, none empty,
 * "." or "..".
 */
final class ObjectKeys {
  static final int MAX_BYTES = 1024;

  /**
   * B2 lists names in UTF-8 byte order, which is code point order; {@link String#compareTo}
   * compares UTF-16 units and disagrees with it for characters outside the BMP.
   */
  static final Comparator<String> ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private ObjectKeys() {}

  /** Returns {@code key}, or throws IllegalArgumentException saying what is wrong with it. */
  static String requireValid(String key) {
    String problem = problemWith(key);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return key;
  }

  /** What makes {@code key} unusable, or null when it is a valid key. */
  static String problemWith(String key) {
    if (key == null || key.isEmpty()) {
      return "an object key must not be empty";
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return "object key longer than " + MAX_BYTES + " bytes: " + key;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "object key contains a control character: " + key;
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "object key segments must not be empty, '.' or '..': " + key;
      }
    }
    return null;
  }

  /** Throws IllegalArgumentException unless the arguments of a download are all non-negative. */
  static void requireValidRange(long offset, long length, long targetOffset) {
    if (offset < 0 || length < 0 || targetOffset < 0) {
      throw new IllegalArgumentException(
          "negative download range: offset "
              + offset
              + ", length "
              + length
              + ", target offset "
              + targetOffset);
    }
  }
}
