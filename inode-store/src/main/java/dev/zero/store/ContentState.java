package dev.zero.store;

/** Where a regular file's content is. Other file types have no content and stay LOCAL_CLEAN. */
public enum ContentState {
  /** Local, and newer than any remote copy (or there is none): it must be uploaded. */
  LOCAL_DIRTY,
  /** Local, and the same as the remote copy: it may be evicted. */
  LOCAL_CLEAN,
  /** Only the remote copy is whole; the local file may be absent or partly recalled. */
  REMOTE
}
