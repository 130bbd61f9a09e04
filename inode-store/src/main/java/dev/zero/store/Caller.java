package dev.zero.store;

import java.util.function.IntPredicate;

/**
 * Who makes a change, as far as the rule on set-id bits asks ({@link InodeStore#dropSetIds}):
 * the caller's uid, and whether a group is among the caller's groups, asked only when needed.
 */
public record Caller(int uid, IntPredicate inGroup) {}
