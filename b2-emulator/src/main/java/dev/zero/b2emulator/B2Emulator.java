package dev.zero.b2emulator;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running emulator: an HTTP server speaking the B2 native API v2 for one bucket, well enough
 * for the unmodified b2-sdk-java, with faults on demand. Use {@link #url()} as the SDK's master
 * URL ({@code B2ClientConfig.Builder.setMasterUrl}). Objects persist in the configured data
 * directory, so a new emulator on the same directory serves what an earlier one stored.
 */
public final class B2Emulator implements AutoCloseable {
    /** Enough for parallel part uploads and downloads plus slow-fault calls holding threads. */
    private static final int THREADS = 32;
    private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final EmulatorConfig config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String url;
    private final FaultPlan faults;
    private final CallStats stats;

    private B2Emulator(EmulatorConfig config, HttpServer server, ExecutorService executor, String url,
                       FaultPlan faults, CallStats stats) {
        this.config = config;
        this.server = server;
        this.executor = executor;
        this.url = url;
        this.faults = faults;
        this.stats = stats;
    }

    /** Binds, loads the bucket from the data directory (creating it if new) and starts serving. */
    public static B2Emulator start(EmulatorConfig config) throws IOException {
        disableNagle();
        BucketStore store = BucketStore.open(config.dataDir(), config.keyId(), config.bucketId());
        HttpServer server = HttpServer.create(config.listen(), 0);
        String url = "http://" + hostForUrl(server.getAddress().getAddress()) + ":" + server.getAddress().getPort();
        FaultPlan faults = new FaultPlan();
        CallStats stats = new CallStats();
        Tokens tokens = new Tokens(config.tokenLifetime());
        server.createContext("/", new ApiHandler(faults, stats, tokens,
                new JsonCalls(config, store, tokens, url),
                new UploadCalls(store),
                new DownloadCalls(store, config.bucketName())));
        server.createContext(ControlHandler.PATH, new ControlHandler(faults, stats));
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, namedThreads());
        server.setExecutor(executor);
        server.start();
        return new B2Emulator(config, server, executor, url, faults, stats);
    }

    /** The master URL, with the real port when the configured one was 0; e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return url;
    }

    public EmulatorConfig config() {
        return config;
    }

    public FaultPlan faults() {
        return faults;
    }

    public CallStats stats() {
        return stats;
    }

    /**
     * Stops at once: calls in progress are cut off, as in a crash of the service. Until this is
     * called the server's threads keep the JVM alive.
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
     * the body then waits for the client's delayed ACK, about 40 ms on every call. The server
     * reads this property once, when the first server in the JVM is created, so it is set here
     * unless someone chose a value already.
     */
    private static void disableNagle() {
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
    }

    private static String hostForUrl(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    }

    /** Named so the emulator's threads stand out in a thread dump of a test JVM. */
    private static ThreadFactory namedThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> new Thread(task, "b2-emulator-" + count.incrementAndGet());
    }
}
