package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where Zero's logs go. Every module logs through {@link System.Logger}, whose backend in the JDK
 * is java.util.logging; this class is its one configuration: one line per record on stderr
 * ("zero: ..."), and for a mount also {@code <cache>/zero.log.0}, rotated at 10 MB (to zero.log.1
 * and on), five kept.
 */
final class Logging {
  /** The current log; older ones are zero.log.1 ... zero.log.4. */
  static final String FILE_NAME = "zero.log.0";
  private static final int FILE_LIMIT_BYTES = 10 << 20;
  private static final int FILES_KEPT = 5;
  /** The B2 SDK's HTTP client logs every connection it retries at INFO; Zero reports what still fails. */
  private static final Logger HTTP_CLIENT = Logger.getLogger("org.apache.http");

  private Logging() {}

  /** The levels --log-level takes. */
  enum LogLevel {
    error(Level.SEVERE), warning(Level.WARNING), info(Level.INFO), debug(Level.FINE);

    final Level level;

    LogLevel(Level level) {
      this.level = level;
    }
  }

  /** Logs at {@code level} and above to stderr. */
  static void toStderr(LogLevel level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(level.level);
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(level.level);
    console.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord record) {
        String prefix = record.getLevel().intValue() >= Level.WARNING.intValue() ? "zero: warning: " : "zero: ";
        return prefix + formatMessage(record) + System.lineSeparator();
      }
    });
    root.addHandler(console);
    HTTP_CLIENT.setLevel(Level.WARNING);
  }

  /** Also logs to {@code <cache>/zero.log.0} (rotated); returns the file. */
  static Path toCacheFile(Path cache, LogLevel level) throws UserError {
    Path file = cache.resolve(FILE_NAME);
    try {
      FileHandler handler = new FileHandler(cache.resolve("zero.log.%g").toString(), FILE_LIMIT_BYTES, FILES_KEPT, true);
      handler.setLevel(level.level);
      handler.setFormatter(new Formatter() {
        @Override
        public String format(LogRecord record) {
          return Instant.ofEpochMilli(record.getMillis()).truncatedTo(ChronoUnit.MILLIS) + " " + record.getLevel().getName()
              + " " + formatMessage(record) + System.lineSeparator();
        }
      });
      Logger.getLogger("").addHandler(handler);
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cannot write the log " + file + " (" + e.getMessage() + "); check that the cache directory is writable.");
    }
    return file;
  }
}
