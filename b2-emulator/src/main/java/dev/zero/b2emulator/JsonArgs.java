package dev.zero.b2emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The members of a JSON request body, read with the checks the real service makes (a 400 on a bad one). */
record JsonArgs(Map<String, Object> values) {

    @SuppressWarnings("unchecked")
    static JsonArgs parse(String body) {
        Object parsed = Json.parse(body.isBlank() ? "{}" : body);
        if (!(parsed instanceof Map)) {
            throw B2Error.badRequest("request body must be a JSON object");
        }
        return new JsonArgs((Map<String, Object>) parsed);
    }

    String requiredString(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw B2Error.badRequest("required field " + name + " is missing");
        }
        return value;
    }

    String optionalString(String name) {
        Object value = values.get(name);
        if (value != null && !(value instanceof String)) {
            throw B2Error.badRequest(name + " must be a string");
        }
        return (String) value;
    }

    int optionalInt(String name, int fallback) {
        long value = optionalLong(name, fallback);
        if (value != (int) value) {
            throw B2Error.badRequest(name + " is out of range");
        }
        return (int) value;
    }

    long optionalLong(String name, long fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Long)) {
            throw B2Error.badRequest(name + " must be an integer");
        }
        return (Long) value;
    }

    /** A map of strings; absent means empty. */
    Map<String, String> stringMap(String name) {
        Object value = values.get(name);
        Map<String, String> result = new LinkedHashMap<>();
        if (value == null) {
            return result;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw B2Error.badRequest(name + " must be an object");
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String s)) {
                throw B2Error.badRequest(name + "." + entry.getKey() + " must be a string");
            }
            result.put((String) entry.getKey(), s);
        }
        return result;
    }

    List<String> requiredStringList(String name) {
        Object value = values.get(name);
        if (!(value instanceof List<?> list)) {
            throw B2Error.badRequest("required field " + name + " must be a list");
        }
        List<String> result = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw B2Error.badRequest(name + " must hold strings");
            }
            result.add(s);
        }
        return result;
    }
}
