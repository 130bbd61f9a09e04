package dev.zero.b2emulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reading requests and writing JSON answers on the JDK's HTTP server. */
final class Exchanges {
    /** JSON request bodies are small; this only stops a runaway one from filling memory. */
    private static final int MAX_JSON_BODY = 1 << 20;

    private Exchanges() {
    }

    /** Leaves the body stream open: an error answer still reads what is left of it, and closing the exchange closes it. */
    static String readJsonBody(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(MAX_JSON_BODY + 1);
        if (body.length > MAX_JSON_BODY) {
            throw B2Error.badRequest("JSON body larger than " + MAX_JSON_BODY + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Answers with an error. The unread request body is read first: the JDK server has already
     * sent "100 Continue", so the client is sending it, and leaving it unread would break the
     * connection under the client instead of giving it the error.
     */
    static void sendError(HttpExchange exchange, B2Error error) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        if (error.retryAfterSeconds() != null) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        sendJson(exchange, error.status(), error.body());
    }

    /**
     * Closes the connection under a response whose body is not all sent, so that the client sees
     * it end short at once. The JDK server has no call for this: closing an exchange whose body
     * is short leaves the connection open, and the client waits for the rest until its socket
     * times out. A write from a thread whose interrupt flag is set closes the socket channel it
     * goes to, which is that connection; nothing of the write is sent.
     */
    static void closeConnectionUnder(OutputStream body) {
        Thread.currentThread().interrupt();
        try {
            body.write(0);
            body.flush();
        } catch (IOException expected) {
            // ClosedByInterruptException: the connection is closed, as wanted.
        } finally {
            Thread.interrupted(); // the pool thread goes on to serve other calls
        }
    }

    /** Whether the response status line has gone out, after which no error answer is possible. */
    static boolean responseStarted(HttpExchange exchange) {
        return exchange.getResponseCode() != -1;
    }

    static Map<String, String> queryParameters(HttpExchange exchange) {
        Map<String, String> parameters = new HashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                parameters.put(FileNames.decode(pair.substring(0, equals)), FileNames.decode(pair.substring(equals + 1)));
            }
        }
        return parameters;
    }
}
