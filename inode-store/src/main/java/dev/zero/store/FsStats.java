package dev.zero.store;

/** What statfs reports: the bytes the files hold (wherever their content is), and the inode count. */
public record FsStats(long fileBytes, long inodes) {}
