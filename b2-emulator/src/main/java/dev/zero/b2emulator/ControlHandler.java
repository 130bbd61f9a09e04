package dev.zero.b2emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The emulator's own endpoints, for tests in other processes. Never faulted or counted.
 * <pre>
 *   POST   /emulator/faults  {"kind": "service_unavailable", "count": 2, "pathContains": "b2_upload",
 *                             "retryAfterSeconds": 0, "delayMillis": 0}   adds a fault
 *   GET    /emulator/faults  the faults in force
 *   DELETE /emulator/faults  clears them all
 *   GET    /emulator/stats   {"calls": {"b2_upload_file": 1, ...}}
 *   DELETE /emulator/stats   resets the counts
 * </pre>
 * Fault kinds: service_unavailable, too_many_requests, request_timeout (these three send
 * "retryAfterSeconds" as Retry-After), internal_error, expired_auth_token, drop_connection,
 * cut_download, slow.
 * Only "kind" is required; without "count" a fault lasts until cleared.
 */
final class ControlHandler implements HttpHandler {
    static final String PATH = "/emulator/";
    private static final Logger LOG = Logger.getLogger(ControlHandler.class.getName());

    private final FaultPlan faults;
    private final CallStats stats;

    ControlHandler(FaultPlan faults, CallStats stats) {
        this.faults = faults;
        this.stats = stats;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try {
            String target = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            switch (target) {
                case "POST /emulator/faults" -> {
                    faults.add(Fault.fromJson(JsonArgs.parse(Exchanges.readJsonBody(exchange))));
                    Exchanges.sendJson(exchange, 200, faultsJson());
                }
                case "GET /emulator/faults" -> Exchanges.sendJson(exchange, 200, faultsJson());
                case "DELETE /emulator/faults" -> {
                    faults.clear();
                    Exchanges.sendJson(exchange, 200, faultsJson());
                }
                case "GET /emulator/stats" -> Exchanges.sendJson(exchange, 200, Map.of("calls", stats.snapshot()));
                case "DELETE /emulator/stats" -> {
                    stats.reset();
                    Exchanges.sendJson(exchange, 200, Map.of("calls", stats.snapshot()));
                }
                default -> throw B2Error.notFound("no control endpoint " + target);
            }
        } catch (B2Error error) {
            try {
                Exchanges.sendError(exchange, error);
            } catch (IOException e) {
                LOG.log(Level.FINE, "could not send error answer", e);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection lost", e);
        } finally {
            exchange.close();
        }
    }

    private Map<String, Object> faultsJson() {
        return Map.of("faults", faults.active().stream().map(Fault::toJson).toList());
    }
}
