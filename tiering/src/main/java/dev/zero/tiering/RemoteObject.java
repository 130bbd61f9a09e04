package dev.zero.tiering;

/** An object in a {@link Remote}: its key and its size in bytes. */
public record RemoteObject(String key, long size) {}
