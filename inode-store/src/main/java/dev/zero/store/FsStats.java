package dev.zero.store;

/** What statfs reports: byte counts of the disk that holds the content, and the inode count. */
public record FsStats(long totalBytes, long freeBytes, long availableBytes, long inodes) {}
