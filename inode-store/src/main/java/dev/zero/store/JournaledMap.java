package dev.zero.store;

import java.io.IOException;
import java.util.Map;
import org.mapdb.DataInput2;
import org.mapdb.Serializer;

/**
 * One metadata table: a MapDB map whose every change is also added to the batch the next commit
 * writes to the journal. Change it only through this class; {@link #read()} is for queries.
 */
final class JournaledMap<K, V, M extends Map<K, V>> {
  private final byte table;
  private final M map;
  private final Serializer<K> keys;
  private final Serializer<V> values;
  private final ChangeBatch changes;

  JournaledMap(byte table, M map, Serializer<K> keys, Serializer<V> values, ChangeBatch changes) {
    this.table = table;
    this.map = map;
    this.keys = keys;
    this.values = values;
    this.changes = changes;
  }

  /** The MapDB map itself, for lookups and scans. Changes made to it would miss the journal. */
  M read() {
    return map;
  }

  V get(K key) {
    return map.get(key);
  }

  boolean containsKey(K key) {
    return map.containsKey(key);
  }

  void put(K key, V value) {
    map.put(key, value);
    changes.put(table, keys, key, values, value);
  }

  void putAll(Map<K, V> entries) {
    for (Map.Entry<K, V> entry : entries.entrySet()) {
      put(entry.getKey(), entry.getValue());
    }
  }

  /** Removes the entry; returns its value, or null if there was none. */
  V remove(K key) {
    V removed = map.remove(key);
    if (removed != null) {
      changes.remove(table, keys, key);
    }
    return removed;
  }

  /** Writes every entry into {@code batch} as a put: this table's part of a checkpoint. */
  void putEverythingInto(ChangeBatch batch, Runnable flushWhenLarge) {
    for (Map.Entry<K, V> entry : map.entrySet()) {
      batch.put(table, keys, entry.getKey(), values, entry.getValue());
      flushWhenLarge.run();
    }
  }

  /** Applies one change read back from the journal, straight to MapDB. */
  void replay(byte change, byte[] key, byte[] value) throws IOException {
    K k = keys.deserialize(new DataInput2.ByteArray(key), key.length);
    if (change == ChangeBatch.PUT) {
      map.put(k, values.deserialize(new DataInput2.ByteArray(value), value.length));
    } else {
      map.remove(k);
    }
  }
}
