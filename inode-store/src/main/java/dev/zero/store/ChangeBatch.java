package dev.zero.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;

/**
 * The changes made to the metadata tables since the last commit, in order, encoded for one
 * journal record: per change, the table, put or remove, the key and (for a put) the value, each
 * key and value as a length and the bytes of its MapDB serializer.
 */
final class ChangeBatch {
  static final byte PUT = 1;
  static final byte REMOVE = 2;

  private DataOutput2 out = new DataOutput2();
  private final DataOutput2 scratch = new DataOutput2();

  <K, V> void put(byte table, Serializer<K> keys, K key, Serializer<V> values, V value) {
    try {
      out.writeByte(table);
      out.writeByte(PUT);
      writeSized(keys, key);
      writeSized(values, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a DataOutput2 writes to memory and does not fail
    }
  }

  <K> void remove(byte table, Serializer<K> keys, K key) {
    try {
      out.writeByte(table);
      out.writeByte(REMOVE);
      writeSized(keys, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean isEmpty() {
    return out.pos == 0;
  }

  int bytes() {
    return out.pos;
  }

  /** The changes so far, as one record. */
  byte[] record() {
    return out.copyBytes();
  }

  void clear() {
    out = new DataOutput2();
  }

  /** The changes so far, as one record; the batch starts empty again. */
  byte[] take() {
    byte[] record = record();
    clear();
    return record;
  }

  private <T> void writeSized(Serializer<T> serializer, T value) throws IOException {
    scratch.pos = 0;
    serializer.serialize(scratch, value);
    out.packInt(scratch.pos);
    out.write(scratch.buf, 0, scratch.pos);
  }
}
