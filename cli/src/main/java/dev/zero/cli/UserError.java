package dev.zero.cli;

/** A problem the user can fix: printed as one sentence, and the command exits with the code. */
final class UserError extends Exception {
  static final int CONFIG = 3;
  static final int SETUP = 4;
  static final int MOUNT = 5;

  private final int exitCode;

  UserError(int exitCode, String sentence) {
    super(sentence, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
