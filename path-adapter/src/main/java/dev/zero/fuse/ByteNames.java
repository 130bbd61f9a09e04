package dev.zero.fuse;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Names and symlink targets are bytes to the kernel and strings to the store. Valid UTF-8
 * becomes its string; any other byte b becomes the lone surrogate U+DC00 + b, which no UTF-8
 * decodes to (Python's "surrogateescape"), so every byte string has its own string and comes
 * back exactly.
 */
final class ByteNames {
  private static final int ESCAPE = 0xdc00;

  private ByteNames() {}

  static String decode(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      ascii &= b >= 0;
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    try {
      return strictUtf8().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return decodeEscaping(bytes);
    }
  }

  private static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Decodes the valid UTF-8 runs and escapes each byte of the invalid ones. */
  private static String decodeEscaping(byte[] bytes) {
    CharsetDecoder decoder = strictUtf8();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    while (in.hasRemaining()) {
      var result = decoder.decode(in, out, true);
      if (result.isError()) {
        for (int i = 0; i < result.length(); i++) {
          out.put((char) (ESCAPE + (in.get() & 0xff)));
        }
      } else if (result.isUnderflow()) {
        break;
      }
    }
    return out.flip().toString();
  }

  static byte[] encode(String name) {
    boolean plain = true;
    for (int i = 0; i < name.length() && plain; i++) {
      char c = name.charAt(i);
      plain = c < 0x80;
    }
    if (plain) {
      return name.getBytes(StandardCharsets.ISO_8859_1);
    }
    ByteBuffer out = ByteBuffer.allocate(name.length() * 3);
    int start = 0;
    for (int i = 0; i <= name.length(); i++) {
      char c = i < name.length() ? name.charAt(i) : 0;
      boolean escaped = i < name.length() && c >= ESCAPE + 0x80 && c <= ESCAPE + 0xff;
      if (escaped || i == name.length()) {
        out.put(name.substring(start, i).getBytes(StandardCharsets.UTF_8));
        if (escaped) {
          out.put((byte) (c - ESCAPE));
        }
        start = i + 1;
      }
    }
    byte[] bytes = new byte[out.position()];
    out.flip().get(bytes);
    return bytes;
  }
}
