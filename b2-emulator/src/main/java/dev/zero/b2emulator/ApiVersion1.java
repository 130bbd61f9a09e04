package dev.zero.b2emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Version 1 of the native API, which rclone still calls: the same calls under {@code /b2api/v1/},
 * answered as version 2 answers them except that the file versions of listings and of
 * b2_hide_file give their size as {@code size} (version 2 renamed it {@code contentLength}).
 */
final class ApiVersion1 {
    static final String PATH = "/b2api/v1/";
    private static final Set<String> SIZE_AS_SIZE = Set.of("b2_list_file_names", "b2_list_file_versions", "b2_hide_file");

    private ApiVersion1() {
    }

    static boolean isVersion1(String path) {
        return path.startsWith(PATH);
    }

    /** The version 2 path of the same call, which the rest of the emulator routes, counts and faults by. */
    static String asVersion2(String path) {
        return ApiHandler.API_PATH + path.substring(PATH.length());
    }

    /** The version 1 form of {@code api}'s version 2 answer. */
    @SuppressWarnings("unchecked")
    static Object answer(String api, Object answer) {
        if (!SIZE_AS_SIZE.contains(api)) {
            return answer;
        }
        Map<String, Object> json = (Map<String, Object>) answer;
        if (api.equals("b2_hide_file")) {
            return withSize(json);
        }
        Map<String, Object> page = new LinkedHashMap<>(json);
        page.put("files", ((List<Map<String, Object>>) json.get("files")).stream().map(ApiVersion1::withSize).toList());
        return page;
    }

    private static Map<String, Object> withSize(Map<String, Object> version) {
        Map<String, Object> renamed = new LinkedHashMap<>();
        version.forEach((name, value) -> renamed.put(name.equals("contentLength") ? "size" : name, value));
        return renamed;
    }
}
