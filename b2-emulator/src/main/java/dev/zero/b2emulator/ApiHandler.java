package dev.zero.b2emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every B2 API call, of version 2 or 1 of the API, passes through here: it is counted, meets any fault in force, has its
 * token checked, and goes to the code that answers it. Errors become B2's JSON error answers.
 */
final class ApiHandler implements HttpHandler {
    static final String API_PATH = "/b2api/v2/";
    static final String UPLOAD_FILE_PATH = API_PATH + "b2_upload_file/";
    static final String UPLOAD_PART_PATH = API_PATH + "b2_upload_part/";
    private static final String AUTHORIZE = "b2_authorize_account";
    static final String DOWNLOAD_BY_ID = "b2_download_file_by_id";
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());

    private final FaultPlan faults;
    private final CallStats stats;
    private final Tokens tokens;
    private final JsonCalls jsonCalls;
    private final UploadCalls uploads;
    private final DownloadCalls downloads;

    ApiHandler(FaultPlan faults, CallStats stats, Tokens tokens, JsonCalls jsonCalls, UploadCalls uploads,
               DownloadCalls downloads) {
        this.faults = faults;
        this.stats = stats;
        this.tokens = tokens;
        this.jsonCalls = jsonCalls;
        this.uploads = uploads;
        this.downloads = downloads;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try {
            String rawPath = exchange.getRequestURI().getRawPath();
            boolean version1 = ApiVersion1.isVersion1(rawPath);
            String path = version1 ? ApiVersion1.asVersion2(rawPath) : rawPath;
            String api = apiName(exchange.getRequestMethod(), path);
            stats.record(api);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Optional<Fault> fault = faults.take(path);
            if (fault.isPresent() && suffer(fault.get(), authorization)) {
                return; // dropped: closing the exchange below closes the connection, sending nothing
            }
            if (!api.equals(AUTHORIZE)) {
                tokens.require(authorization);
            }
            route(api, path, version1, exchange, fault.filter(f -> f.kind() == Fault.Kind.CUT_DOWNLOAD).isPresent());
        } catch (B2Error error) {
            answerError(exchange, error);
        } catch (IOException e) {
            // Mostly a client gone mid-call, whom no answer reaches; but a failing disk deserves a 500.
            LOG.log(Level.FINE, "call failed", e);
            answerError(exchange, new B2Error(500, "internal_error", e.toString(), null));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "call failed", e);
            answerError(exchange, new B2Error(500, "internal_error", e.toString(), null));
        } finally {
            exchange.close();
        }
    }

    /**
     * Applies a fault; true when the call is dropped. A slow call goes on to be answered normally,
     * a cut download goes on to be cut while it is sent, the error kinds are thrown as the answer. An expired token stays expired, as on the real
     * service, so the client cannot get through by repeating the call with it.
     */
    private boolean suffer(Fault fault, String authorization) {
        return switch (fault.kind()) {
            case SLOW -> {
                try {
                    Thread.sleep(fault.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield false;
            }
            case CUT_DOWNLOAD -> false;
            case DROP_CONNECTION -> true;
            case SERVICE_UNAVAILABLE -> throw new B2Error(503, "service_unavailable",
                    "injected fault: service unavailable", fault.retryAfterSeconds());
            case TOO_MANY_REQUESTS -> throw new B2Error(429, "too_many_requests",
                    "injected fault: too many requests", fault.retryAfterSeconds());
            case REQUEST_TIMEOUT -> throw new B2Error(408, "request_timeout",
                    "injected fault: request timeout", fault.retryAfterSeconds());
            case INTERNAL_ERROR -> throw new B2Error(500, "internal_error", "injected fault: internal error", null);
            case EXPIRED_AUTH_TOKEN -> {
                tokens.expire(authorization);
                throw B2Error.expiredAuthToken();
            }
        };
    }

    private void route(String api, String path, boolean version1, HttpExchange exchange, boolean cutDownload)
            throws IOException {
        if (api.equals(AUTHORIZE)) {
            Exchanges.readJsonBody(exchange);
            Exchanges.sendJson(exchange, 200, jsonCalls.authorize(exchange.getRequestHeaders().getFirst("Authorization")));
        } else if (path.startsWith(UPLOAD_FILE_PATH)) {
            Exchanges.sendJson(exchange, 200, uploads.uploadFile(exchange, path.substring(UPLOAD_FILE_PATH.length())));
        } else if (path.startsWith(UPLOAD_PART_PATH)) {
            Exchanges.sendJson(exchange, 200, uploads.uploadPart(exchange, path.substring(UPLOAD_PART_PATH.length())));
        } else if (api.equals(DOWNLOAD_BY_ID)) {
            downloads.byId(exchange, cutDownload);
        } else if (path.startsWith(DownloadCalls.BY_NAME_PATH)) {
            downloads.byName(exchange, cutDownload);
        } else {
            JsonCalls.Call call = jsonCalls.find(api).orElseThrow(() -> B2Error.notFound("unknown API: " + path));
            JsonArgs args = JsonArgs.parse(Exchanges.readJsonBody(exchange));
            Object answer = call.answer(args);
            Exchanges.sendJson(exchange, 200, version1 ? ApiVersion1.answer(api, answer) : answer);
        }
    }

    /** The name calls are counted under: the API's name as in the B2 docs. */
    private static String apiName(String method, String path) {
        if (path.startsWith(DownloadCalls.BY_NAME_PATH)) {
            return method.equals("HEAD") ? "b2_get_file_info_by_name" : "b2_download_file_by_name";
        }
        if (!path.startsWith(API_PATH)) {
            return path;
        }
        String rest = path.substring(API_PATH.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    private static void answerError(HttpExchange exchange, B2Error error) {
        if (Exchanges.responseStarted(exchange)) {
            return; // too late for an error answer; closing the exchange cuts the body short instead
        }
        try {
            Exchanges.sendError(exchange, error);
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not send error answer", e);
        }
    }
}
