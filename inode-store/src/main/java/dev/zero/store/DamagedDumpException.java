package dev.zero.store;

import java.io.IOException;

/**
 * A metadata dump whose bytes are not the ones that were written: cut short, changed, or not a
 * dump at all. Loading stops at once; the caller decides whether an older dump will do.
 */
public final class DamagedDumpException extends IOException {
  public DamagedDumpException(String reason) {
    super(reason);
  }
}
