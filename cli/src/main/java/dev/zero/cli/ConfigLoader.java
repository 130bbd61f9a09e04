package dev.zero.cli;

import dev.zero.tiering.FilesystemLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads config.yml: the embedded default first, then the user's file key by key on top. Every
 * mistake is reported with the file, the line and the key's name.
 */
final class ConfigLoader {
  static final String METADATA_FILE = "metadataFile";
  /** The original Zero's name for the metadata location, accepted as it is. */
  static final String SQLITE_FILE_LOCATION = "sqliteFileLocation";
  static final String FUSE_LOOP = "fuseLoop";
  static final String ACCOUNT_ID = "accountId";
  static final String APPLICATION_KEY = "applicationKey";
  static final String BUCKET_ID = "bucketId";
  static final String B2_URL = "b2Url";
  static final String REMOTE_DIRECTORY = "remoteDirectory";
  static final String TARGET_DISK_USAGE = "targetDiskUsage";
  static final String UPLOAD_DELAY_SECONDS = "uploadDelaySeconds";
  static final String BACKUP_INTERVAL_SECONDS = "backupIntervalSeconds";
  static final String GC_INTERVAL_SECONDS = "gcIntervalSeconds";
  static final String FILESYSTEM_NAME = "filesystemName";
  static final String MIN_FREE_DISK_SPACE = "minFreeDiskSpace";
  static final String REMOTE_TIMEOUT_SECONDS = "remoteTimeoutSeconds";
  static final String CAPACITY = "capacity";
  static final List<String> KEYS = List.of(METADATA_FILE, SQLITE_FILE_LOCATION, FUSE_LOOP,
      ACCOUNT_ID, APPLICATION_KEY, BUCKET_ID, B2_URL, REMOTE_DIRECTORY, TARGET_DISK_USAGE, UPLOAD_DELAY_SECONDS, BACKUP_INTERVAL_SECONDS,
      GC_INTERVAL_SECONDS, FILESYSTEM_NAME, MIN_FREE_DISK_SPACE, REMOTE_TIMEOUT_SECONDS, CAPACITY);
  private static final List<String> B2_KEYS = List.of(ACCOUNT_ID, APPLICATION_KEY, BUCKET_ID);
  private static final double BYTES_PER_GB = 1e9;

  /** A value as written, with its YAML type and where it was written, for error messages. */
  private record Setting(String value, Tag tag, String file, int line) {
    String where() {
      return file + " line " + line;
    }
  }

  static Path defaultLocation() {
    return Path.of(System.getProperty("user.home"), ".config", "zero", "config.yml");
  }

  /**
   * Loads {@code file} over the embedded default. A missing file is an error only when the user
   * named it; the default location may be absent, and then the embedded default is the config.
   */
  static Config load(Path file, boolean namedByUser) throws UserError {
    Map<String, Setting> settings = new HashMap<>();
    read("embedded default-config.yml", embeddedDefault(), settings);
    try {
      read(file.toString(), Files.readString(file, StandardCharsets.UTF_8), settings);
    } catch (NoSuchFileException e) {
      if (namedByUser) {
        throw new UserError(UserError.CONFIG, "config file " + file + " does not exist; create it or leave out --config.");
      }
    } catch (IOException e) {
      throw new UserError(UserError.CONFIG, "cannot read config file " + file + ": " + e.getMessage());
    }
    Setting key = settings.get(APPLICATION_KEY);
    if (key != null && key.file().equals(file.toString())) {
      KeyFiles.warnIfReadableByOthers(file);
    }
    return toConfig(settings);
  }

  private static void read(String file, String text, Map<String, Setting> settings)
      throws UserError {
    Node root;
    try {
      root = new Yaml().compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new UserError(UserError.CONFIG, file + " line " + line + ": not valid YAML: " + e.getProblem());
    }
    if (root == null) {
      return; // an empty file: nothing overridden
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new UserError(UserError.CONFIG, file + " line " + line(root) + ": expected 'key: value' lines");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String key = keyNode instanceof ScalarNode scalar ? scalar.getValue() : "?";
      int line = line(keyNode);
      if (!KEYS.contains(key)) {
        throw new UserError(UserError.CONFIG, file + " line " + line + ": unknown key '" + key + "'; known keys are " + String.join(", ", KEYS) + ".");
      }
      Integer first = seen.putIfAbsent(key, line);
      if (first != null) {
        throw new UserError(UserError.CONFIG, file + " line " + line + ": key '" + key + "' is set twice (first on line " + first + ").");
      }
      if (!(tuple.getValueNode() instanceof ScalarNode value)) {
        throw new UserError(UserError.CONFIG, file + " line " + line + ": key '" + key + "' needs a single value.");
      }
      String canonical = key.equals(SQLITE_FILE_LOCATION) ? METADATA_FILE : key;
      settings.put(canonical, new Setting(value.getValue(), value.getTag(), file, line));
    }
  }

  private static Config toConfig(Map<String, Setting> settings) throws UserError {
    String metadata = path(settings, METADATA_FILE);
    Setting loop = settings.get(FUSE_LOOP);
    boolean multithreaded = switch (loop.value()) {
      case "single" -> false;
      case "multi" -> true;
      default -> throw new UserError(UserError.CONFIG, loop.where() + ": key '" + FUSE_LOOP + "' must be single or multi, not '" + loop.value() + "'.");
    };
    return new Config(metadata, multithreaded, b2Account(settings), path(settings, REMOTE_DIRECTORY),
        gigabytes(settings, TARGET_DISK_USAGE),
        Duration.ofSeconds(wholeNumber(settings, UPLOAD_DELAY_SECONDS, "a whole number of seconds")),
        Duration.ofSeconds(wholeNumber(settings, BACKUP_INTERVAL_SECONDS, "a whole number of seconds")),
        Duration.ofSeconds(wholeNumber(settings, GC_INTERVAL_SECONDS, "a whole number of seconds")),
        filesystemName(settings),
        gigabytes(settings, MIN_FREE_DISK_SPACE),
        Duration.ofSeconds(wholeNumber(settings, REMOTE_TIMEOUT_SECONDS, "a whole number of seconds")),
        gigabytes(settings, CAPACITY));
  }

  private static String filesystemName(Map<String, Setting> settings) throws UserError {
    Setting setting = settings.get(FILESYSTEM_NAME);
    String problem = FilesystemLayout.problemWithName(setting.value());
    if (problem != null) {
      throw new UserError(UserError.CONFIG, setting.where() + ": key '" + FILESYSTEM_NAME + "' is '" + setting.value() + "', but " + problem + ".");
    }
    return setting.value();
  }

  /** B2 needs its three keys together; with none of them, the remote is a local directory. */
  private static Config.B2Account b2Account(Map<String, Setting> settings) throws UserError {
    Setting url = settings.get(B2_URL);
    List<String> present = B2_KEYS.stream().filter(settings::containsKey).toList();
    if (present.isEmpty()) {
      if (url != null) {
        throw new UserError(UserError.CONFIG, url.where() + ": key '" + B2_URL + "' needs accountId, applicationKey and bucketId too.");
      }
      return null;
    }
    for (String key : B2_KEYS) {
      if (!settings.containsKey(key)) {
        throw new UserError(UserError.CONFIG, settings.get(present.get(0)).where() + ": key '" + key + "' is missing: B2 needs accountId, applicationKey and bucketId together.");
      }
      if (settings.get(key).value().isBlank()) {
        throw new UserError(UserError.CONFIG, settings.get(key).where() + ": key '" + key + "' is empty.");
      }
    }
    if (url != null && !url.value().startsWith("http://") && !url.value().startsWith("https://")) {
      throw new UserError(UserError.CONFIG, url.where() + ": key '" + B2_URL + "' must be an http:// or https:// URL, not '" + url.value() + "'.");
    }
    return new Config.B2Account(settings.get(ACCOUNT_ID).value(), settings.get(APPLICATION_KEY).value(),
        settings.get(BUCKET_ID).value(), url == null ? null : url.value());
  }

  private static String path(Map<String, Setting> settings, String key) throws UserError {
    Setting setting = settings.get(key);
    if (setting.value().isBlank()) {
      throw new UserError(UserError.CONFIG, setting.where() + ": key '" + key + "' needs a path.");
    }
    return setting.value();
  }

  /** A size given in GB (10^9 bytes, decimals allowed), in bytes. */
  private static long gigabytes(Map<String, Setting> settings, String key) throws UserError {
    return (long) (positiveNumber(settings, key, "a number of GB") * BYTES_PER_GB);
  }

  private static double positiveNumber(Map<String, Setting> settings, String key, String what) throws UserError {
    Setting setting = settings.get(key);
    if (setting.tag().equals(Tag.INT) || setting.tag().equals(Tag.FLOAT)) {
      double value = Double.parseDouble(setting.value().replace("_", ""));
      if (value > 0) {
        return value;
      }
    }
    throw new UserError(UserError.CONFIG, setting.where() + ": key '" + key + "' must be " + what + " above 0, not '" + setting.value() + "'.");
  }

  private static long wholeNumber(Map<String, Setting> settings, String key, String what) throws UserError {
    Setting setting = settings.get(key);
    if (setting.tag().equals(Tag.INT)) {
      long value = Long.parseLong(setting.value().replace("_", ""));
      if (value >= 0) {
        return value;
      }
    }
    throw new UserError(UserError.CONFIG, setting.where() + ": key '" + key + "' must be " + what + ", not '" + setting.value() + "'.");
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static String embeddedDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/default-config.yml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the jar lacks default-config.yml", e);
    }
  }
}
