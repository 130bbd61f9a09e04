package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class DiskFailuresTest {
  @Test
  void fullDiskSaysSoAndWhere() {
    String expected =
        "Storing object 'k' failed because the disk holding the remote directory /r is full:"
            + " free some space there and try again";

    assertEquals(expected, refused(new IOException("No space left on device")).getMessage());
    assertEquals(
        expected,
        refused(new FileSystemException("/r/x", null, "No space left on device")).getMessage());
    assertEquals(expected, refused(new IOException("Disk quota exceeded")).getMessage());
  }

  @Test
  void otherErrorsNameTheirCause() {
    RemoteException other = refused(new IOException("Input/output error"));

    assertEquals(RemoteException.Kind.REFUSED, other.kind());
    assertEquals(
        "Storing object 'k' failed (IOException: Input/output error): check the remote directory"
            + " /r",
        other.getMessage());
  }

  private static RemoteException refused(IOException e) {
    return DiskFailures.refused("storing object 'k'", "the remote directory /r", e);
  }
}
