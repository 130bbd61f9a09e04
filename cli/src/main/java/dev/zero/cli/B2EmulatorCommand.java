package dev.zero.cli;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(
    name = "b2-emulator",
    mixinStandardHelpOptions = true,
    description = {
      "Serves one B2 bucket on loopback with the B2 native API, for tests and trials without an account.",
      "Prints the URL to put in b2Url and runs until SIGTERM or SIGINT. Its data survives a restart.",
      "The application key is read from --key-file or from the environment variable " + B2EmulatorCommand.KEY_VARIABLE
          + "; --key works too, but shows the key to every user in ps."
    })
final class B2EmulatorCommand implements Callable<Integer> {
  static final String KEY_VARIABLE = "ZERO_B2_EMULATOR_KEY";

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0", description = "Address to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory that holds the bucket's objects.")
  Path data;

  @Option(names = "--key-id", required = true, paramLabel = "ID", description = "The application key id clients must present.")
  String keyId;

  @Option(names = "--key-file", paramLabel = "FILE", description = "File whose content is the application key clients must present (mode 0600).")
  Path keyFile;

  @Option(names = "--key", paramLabel = "KEY", description = "The application key, where ps shows it to every user: prefer --key-file or " + KEY_VARIABLE + ".")
  String key;

  @Option(names = "--bucket-id", required = true, paramLabel = "BUCKET", description = "Id (and name) of the one bucket served; created if new.")
  String bucketId;

  @Override
  public Integer call() throws UserError, InterruptedException {
    InetSocketAddress address = parseListen();
    String applicationKey = applicationKey();
    B2Emulator emulator;
    try {
      emulator = B2Emulator.start(EmulatorConfig.of(data, keyId, applicationKey, bucketId).withListen(address));
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cannot start the B2 emulator on " + listen + " with data in " + data + " (" + e.getMessage() + "); pick a free port and a writable directory.");
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    System.out.println(emulator.url());
    System.out.flush();
    stop.await();
    emulator.close();
    return 0;
  }

  /** An option on the command line wins over the environment; two options are a mistake. */
  private String applicationKey() throws UserError {
    if (keyFile != null && key != null) {
      throw new UserError(UserError.CONFIG, "give the application key with --key-file or --key, not both.");
    }
    if (keyFile != null) {
      KeyFiles.warnIfReadableByOthers(keyFile);
      try {
        String fromFile = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
        if (fromFile.isEmpty()) {
          throw new UserError(UserError.CONFIG, "key file " + keyFile + " is empty; write the application key in it.");
        }
        return fromFile;
      } catch (IOException e) {
        throw new UserError(UserError.CONFIG, "cannot read key file " + keyFile + " (" + e.getMessage() + "); name a file you can read.");
      }
    }
    if (key != null) {
      return key;
    }
    String fromEnvironment = System.getenv(KEY_VARIABLE);
    if (fromEnvironment == null || fromEnvironment.isEmpty()) {
      throw new UserError(UserError.CONFIG, "the emulator needs an application key: give --key-file FILE or set " + KEY_VARIABLE + ".");
    }
    return fromEnvironment;
  }

  private InetSocketAddress parseListen() throws UserError {
    int colon = listen.lastIndexOf(':');
    try {
      return new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new UserError(UserError.CONFIG, "--listen must be HOST:PORT, for example 127.0.0.1:9000, not '" + listen + "'.");
    }
  }
}
