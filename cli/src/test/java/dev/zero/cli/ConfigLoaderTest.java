package dev.zero.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix").build());
  private final Path file = fs.getPath("/home/u/.config/zero/config.yml");

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  private Config load(String yaml) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, true);
  }

  private String error(String yaml) {
    return assertThrows(UserError.class, () -> load(yaml)).getMessage();
  }

  /** What loading {@code yaml} from a file of mode {@code mode} prints on stderr. */
  private String stderrOfLoading(String yaml, String mode) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ConfigLoader.load(file, true);
    } finally {
      System.setErr(stderr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static final String B2_KEYS = "accountId: id\napplicationKey: secret\nbucketId: bucket\n";

  @Test
  void anApplicationKeyOthersCanReadIsWarnedAboutInOneLine() throws Exception {
    assertEquals("zero: warning: " + file + " holds a B2 application key and is readable by other users; chmod 600 it.\n",
        stderrOfLoading(B2_KEYS, "rw-r--r--"));
    assertEquals("zero: warning: " + file + " holds a B2 application key and is readable by other users; chmod 600 it.\n",
        stderrOfLoading(B2_KEYS, "rw-r-----"));
  }

  @Test
  void aPrivateKeyFileOrAFileWithoutAKeyIsNotWarnedAbout() throws Exception {
    assertEquals("", stderrOfLoading(B2_KEYS, "rw-------"));
    assertEquals("", stderrOfLoading("targetDiskUsage: 5\n", "rw-r--r--"));
  }

  @Test
  void withNoFileTheEmbeddedDefaultApplies() throws Exception {
    Config config = ConfigLoader.load(file, false);
    assertEquals("meta/zero.db", config.metadataFile());
    assertFalse(config.multithreadedFuse());
  }

  @Test
  void anEmptyFileKeepsTheDefaults() throws Exception {
    assertEquals(ConfigLoader.load(file, false), load(""));
  }

  @Test
  void userKeysOverrideTheDefaults() throws Exception {
    Config config = load("metadataFile: /var/lib/zero/meta.db\nfuseLoop: multi\n");
    assertEquals("/var/lib/zero/meta.db", config.metadataFile());
    assertTrue(config.multithreadedFuse());
  }

  @Test
  void theOriginalZerosNameForTheMetadataLocationIsAccepted() throws Exception {
    assertEquals("/data/zero.db", load("sqliteFileLocation: /data/zero.db\n").metadataFile());
  }

  @Test
  void unknownKeysAreNamedWithTheirLine() {
    String message = error("fuseLoop: single\nmetadatFile: x\n");
    assertTrue(message.contains("line 2"), message);
    assertTrue(message.contains("'metadatFile'"), message);
  }

  @Test
  void badValuesAreNamedWithKeyAndLine() {
    String message = error("\nfuseLoop: triple\n");
    assertTrue(message.contains("line 2") && message.contains("fuseLoop") && message.contains("triple"), message);
  }

  @Test
  void theGcIntervalIsADayByDefaultAndZeroTurnsItOff() throws Exception {
    assertEquals(Duration.ofDays(1), ConfigLoader.load(file, false).gcInterval());
    assertEquals(Duration.ZERO, load("gcIntervalSeconds: 0\n").gcInterval());
    String message = error("fuseLoop: single\ngcIntervalSeconds: -1\n");
    assertTrue(message.contains("line 2") && message.contains("'gcIntervalSeconds'") && message.contains("-1"), message);
  }

  @Test
  void brokenYamlIsReportedWithItsLine() {
    String message = error("fuseLoop: single\nmetadataFile: [unclosed\n");
    assertTrue(message.contains("not valid YAML"), message);
    assertTrue(message.contains(file.toString()), message);
  }

  @Test
  void aKeySetTwiceIsAnError() {
    String message = error("fuseLoop: single\nfuseLoop: multi\n");
    assertTrue(message.contains("line 2: key 'fuseLoop' is set twice (first on line 1)"), message);
  }

  @Test
  void aFilesystemNameMustBeUsableAsAnObjectKeySegment() {
    String message = error("filesystemName: ../other\n");
    assertTrue(message.contains("line 1: key 'filesystemName' is '../other'"), message);
  }

  @Test
  void aConfigFileNamedOnTheCommandLineMustExist() {
    UserError error = assertThrows(UserError.class, () -> ConfigLoader.load(fs.getPath("/nope.yml"), true));
    assertEquals(UserError.CONFIG, error.exitCode());
  }
}
