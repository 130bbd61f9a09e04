package dev.zero.cli;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
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
      "Prints the URL to put in b2Url and runs until SIGTERM or SIGINT. Its data survives a restart."
    })
final class B2EmulatorCommand implements Callable<Integer> {
  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0", description = "Address to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory that holds the bucket's objects.")
  Path data;

  @Option(names = "--key-id", required = true, paramLabel = "ID", description = "The application key id clients must present.")
  String keyId;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The application key clients must present.")
  String key;

  @Option(names = "--bucket-id", required = true, paramLabel = "BUCKET", description = "Id (and name) of the one bucket served; created if new.")
  String bucketId;

  @Override
  public Integer call() throws UserError, InterruptedException {
    InetSocketAddress address = parseListen();
    B2Emulator emulator;
    try {
      emulator = B2Emulator.start(EmulatorConfig.of(data, keyId, key, bucketId).withListen(address));
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

  private InetSocketAddress parseListen() throws UserError {
    int colon = listen.lastIndexOf(':');
    try {
      return new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new UserError(UserError.CONFIG, "--listen must be HOST:PORT, for example 127.0.0.1:9000, not '" + listen + "'.");
    }
  }
}
