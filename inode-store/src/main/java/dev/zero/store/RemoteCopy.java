package dev.zero.store;

/** The remote object that holds a file's content as last uploaded, and that content's size. */
public record RemoteCopy(String key, long size) {}
