package dev.zero.b2emulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * B2 calls made by hand over HTTP, for what the SDK hides: which token a call carries, and the
 * JSON exactly as the emulator sends it.
 */
final class RawB2 {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;

    RawB2(B2Emulator emulator) {
        this.url = emulator.url();
    }

    /** b2_authorize_account's answer, parsed. */
    @SuppressWarnings("unchecked")
    Map<String, Object> authorize() throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString(
                (Sdk.KEY_ID + ":" + Sdk.KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/b2api/v2/b2_authorize_account"))
                .header("Authorization", "Basic " + basic)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("authorization failed: " + answer.body());
        }
        return (Map<String, Object>) Json.parse(answer.body());
    }

    String accountToken() throws IOException, InterruptedException {
        return (String) authorize().get("authorizationToken");
    }

    /** POSTs a JSON call of the API, e.g. {@code call("b2_list_file_names", token, "{...}")}. */
    HttpResponse<String> call(String api, String token, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/b2api/v2/" + api))
                .header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Uploads a small file to an upload URL with its token; the answer as sent. */
    HttpResponse<String> upload(String uploadUrl, String uploadToken, String fileName, byte[] content)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uploadUrl))
                .header("Authorization", uploadToken)
                .header("X-Bz-File-Name", fileName)
                .header("Content-Type", "application/octet-stream")
                .header("X-Bz-Content-Sha1", Sdk.sha1(content))
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Uploads one part of a large file to a part upload URL with its token; the answer as sent. */
    HttpResponse<String> uploadPart(String uploadUrl, String uploadToken, int partNumber, byte[] content)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uploadUrl))
                .header("Authorization", uploadToken)
                .header("X-Bz-Part-Number", Integer.toString(partNumber))
                .header("X-Bz-Content-Sha1", Sdk.sha1(content))
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer's JSON; fails unless the call succeeded. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> answer) {
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("call failed with " + answer.statusCode() + ": " + answer.body());
        }
        return (Map<String, Object>) Json.parse(answer.body());
    }

    static String listNamesJson() {
        return "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\"}";
    }
}
