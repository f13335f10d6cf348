// UTF-8 bytes to a string with every invalid sequence replaced by U+FFFD, as the WHATWG decoder
// (TextDecoder, Buffer#toString) does: one U+FFFD per maximal invalid subpart, never an unpaired
// surrogate. AssemblyScript's String.UTF8.decode passes bad bytes through as lone surrogates or
// garbage code units, which then re-encode as text no one sent.

const REPLACEMENT: u16 = 0xfffd;

/** The string [ptr, ptr + len) holds as UTF-8, invalid sequences as U+FFFD. */
export function decodeUtf8Lossy(ptr: usize, len: usize): string {
  if (len == 0) return "";
  // at most one UTF-16 unit per byte
  const out = heap.alloc(len << 1);
  let w: usize = 0;
  let i: usize = 0;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) {
      store<u16>(out + (w++ << 1), <u16>b0);
      i++;
      continue;
    }
    let need: u32 = 0;
    let cp: u32 = 0;
    let lower: u32 = 0x80;
    let upper: u32 = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2; cp = b0 & 0x0f;
      if (b0 == 0xe0) lower = 0xa0;
      if (b0 == 0xed) upper = 0x9f; // no surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3; cp = b0 & 0x07;
      if (b0 == 0xf0) lower = 0x90;
      if (b0 == 0xf4) upper = 0x8f;
    } else {
      store<u16>(out + (w++ << 1), REPLACEMENT);
      i++;
      continue;
    }
    let j: usize = i + 1;
    let ok = true;
    for (let k: u32 = 0; k < need; k++) {
      if (j >= len) { ok = false; break; }
      const b = <u32>load<u8>(ptr + j);
      if (b < lower || b > upper) { ok = false; break; }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      j++;
    }
    if (!ok) {
      // the maximal subpart [i, j) becomes one U+FFFD; decoding resumes at the byte that broke it
      store<u16>(out + (w++ << 1), REPLACEMENT);
      i = j;
      continue;
    }
    if (cp >= 0x10000) {
      const c = cp - 0x10000;
      store<u16>(out + (w++ << 1), <u16>(0xd800 | (c >> 10)));
      store<u16>(out + (w++ << 1), <u16>(0xdc00 | (c & 0x3ff)));
    } else {
      store<u16>(out + (w++ << 1), <u16>cp);
    }
    i = j;
  }
  const s = changetype<string>(__new(w << 1, idof<string>()));
  memory.copy(changetype<usize>(s), out, w << 1);
  heap.free(out);
  return s;
}
