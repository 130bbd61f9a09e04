package dev.zero.store;

/** One name in a directory listing: the name, the inode it names and that inode's file type. */
public record DirEntry(String name, long ino, int type) {}
