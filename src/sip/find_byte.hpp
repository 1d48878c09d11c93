// An inline search for one byte value, for the short distances between
// delimiters in a SIP message. Internal to the SIP library.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sippay::sip {

// Returns the position of the first `byte` in data[from, size), or `size`
// when there is none. With SSE2, which every x86-64 CPU has, it tests 32
// and then 16 bytes at a time, and the last test reloads the final 16 bytes
// of the range rather than testing the rest one by one. For the few dozen
// bytes of a header line this costs fewer instructions than a call to
// memchr. Other CPUs test one byte at a time. It reads only inside
// data[0, size).
inline std::size_t find_byte(const char* data, std::size_t from, std::size_t size, char byte) {
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(byte);
  const auto match_mask = [data, needle](std::size_t at) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, needle)));
  };
  if (from >= size) return size;
  // 32 bytes per round while they last. The two comparisons are combined
  // into one mask of 32 bits.
  for (; size - from >= 32; from += 32) {
    const std::uint32_t mask = match_mask(from) | match_mask(from + 16) << 16;
    if (mask != 0) return from + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  for (; size - from >= 16; from += 16) {
    const unsigned mask = match_mask(from);
    if (mask != 0) return from + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  if (from < size && size >= 16) {
    // The last 16 bytes of the data. The shift drops the bits of those before `from`.
    const std::size_t last = size - 16;
    const unsigned mask = match_mask(last) >> (from - last);
    return mask != 0 ? from + static_cast<std::size_t>(__builtin_ctz(mask)) : size;
  }
#endif
  for (; from < size; ++from) {
    if (data[from] == byte) return from;
  }
  return size;
}

}  // namespace sippay::sip
