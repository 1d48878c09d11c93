#include "sip/find_byte.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>

namespace sippay::sip {
namespace {

// The position find_byte must return, found one byte at a time.
std::size_t expected_position(const char* data, std::size_t from, std::size_t size, char byte) {
  for (std::size_t i = from; i < size; ++i) {
    if (data[i] == byte) return i;
  }
  return size;
}

TEST(FindByte, EveryPositionSizeAndStart) {
  // Each buffer is allocated with its exact size, so that under ASan a read
  // past its end fails the test. The sizes cover the 32-byte rounds, the
  // 16-byte rounds, the reload of the last 16 bytes and the byte loop.
  for (std::size_t size = 0; size <= 100; ++size) {
    for (std::size_t target = 0; target <= size; ++target) {
      const auto buffer = std::make_unique<char[]>(size == 0 ? 1 : size);
      char* data = buffer.get();
      for (std::size_t i = 0; i < size; ++i) data[i] = 'a';
      if (target < size) data[target] = '\n';
      for (std::size_t from = 0; from <= size; ++from) {
        ASSERT_EQ(find_byte(data, from, size, '\n'), expected_position(data, from, size, '\n'))
            << "size " << size << ", LF at " << target << ", from " << from;
      }
    }
  }
}

TEST(FindByte, FirstOfSeveralMatches) {
  const char text[] = "0123456789abcdef>123456789abcdef0123456789>bcdef0123456789abcdef>";
  const std::size_t size = sizeof text - 1;
  EXPECT_EQ(find_byte(text, 0, size, '>'), 16u);
  EXPECT_EQ(find_byte(text, 17, size, '>'), 42u);
  EXPECT_EQ(find_byte(text, 43, size, '>'), size - 1);
  EXPECT_EQ(find_byte(text, 0, size, '#'), size);
}

TEST(FindByte, HighBitByte) {
  // Bytes of 0x80 and above compare equal only to themselves.
  const char text[] = "\x80\x81\xff\x7f 0123456789abcdef0123456789\xfe";
  const std::size_t size = sizeof text - 1;
  EXPECT_EQ(find_byte(text, 0, size, '\xff'), 2u);
  EXPECT_EQ(find_byte(text, 0, size, '\xfe'), size - 1);
  EXPECT_EQ(find_byte(text, 3, size, '\x80'), size);
}

}  // namespace
}  // namespace sippay::sip
