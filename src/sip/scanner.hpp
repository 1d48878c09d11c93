// A cursor over one piece of a SIP message (a start line or a header value)
// with the lexical rules of RFC 3261 §25.1: LWS with line folding, SWS around
// separators, tokens and quoted strings.
//
// The scanner never allocates; everything it returns is a view into the text
// it was given. Positions are reported as offsets in the whole message, so a
// scanner over a header value is built with the value's offset as `base`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sip/charset.hpp"
#include "sip/parse_error.hpp"
#include "sip/utf8.hpp"

namespace sippay::sip {

class Scanner {
 public:
  explicit Scanner(std::string_view text, std::size_t base = 0) : text_(text), base_(base) {}

  bool at_end() const { return pos_ >= text_.size(); }
  // REQUIRES: !at_end().
  char peek() const { return text_[pos_]; }
  char peek_or_nul() const { return at_end() ? '\0' : text_[pos_]; }
  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t pos) { pos_ = pos; }
  // Offset of the cursor in the whole message.
  std::size_t offset() const { return base_ + pos_; }
  std::string_view text() const { return text_; }
  std::string_view rest() const { return text_.substr(pos_); }
  // The text from `from` to `to`, without the bounds check of substr.
  // REQUIRES: from <= to <= text().size().
  std::string_view slice(std::size_t from, std::size_t to) const {
    return {text_.data() + from, to - from};
  }

  void advance(std::size_t n = 1) { pos_ += n; }

  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Consumes `literal` compared without regard to ASCII case.
  bool consume_ci(std::string_view literal) {
    if (!charset::iequals(text_.substr(pos_, literal.size()), literal)) return false;
    pos_ += literal.size();
    return true;
  }

  // Skips SWS: spaces, tabs and folded line breaks (CRLF followed by a space
  // or tab). Returns true when anything was skipped.
  bool skip_lws() {
    const std::size_t start = pos_;
    const std::size_t size = text_.size();
    std::size_t i = pos_;
    while (i < size) {
      const char c = text_[i];
      if (charset::is_ws(c)) {
        ++i;
      } else if (c == '\r' && i + 2 < size && text_[i + 1] == '\n' &&
                 charset::is_ws(text_[i + 2])) {
        i += 3;
      } else {
        break;
      }
    }
    pos_ = i;
    return i != start;
  }

  // Consumes SWS c SWS, the form of SEMI, COMMA, SLASH, EQUAL and the other
  // separators of §25.1. Leaves the cursor unchanged when `c` is not next.
  bool consume_separator(char c) {
    const std::size_t start = pos_;
    if (!consume(c)) {
      if (!skip_lws() || !consume(c)) {
        pos_ = start;
        return false;
      }
    }
    skip_lws();
    return true;
  }

  std::string_view take_while(std::uint16_t cls) {
    const char* const begin = text_.data();
    const char* const end = charset::skip_class(begin + pos_, begin + text_.size(), cls);
    const std::size_t start = pos_;
    pos_ = static_cast<std::size_t>(end - begin);
    return slice(start, pos_);
  }

  std::string_view take_token() { return take_while(charset::kToken); }

  // Takes a quoted-string (§25.1) starting at the cursor, which must be at the
  // opening DQUOTE. Returns the whole string with its quotes, escapes kept.
  // Non-ASCII text must be well-formed UTF-8 (see utf8_sequence_length).
  // On error returns an empty view and sets `error` to the reason.
  std::string_view take_quoted_string(const char*& error) {
    const std::size_t start = pos_;
    if (!consume('"')) {
      error = "expected a quoted string";
      return {};
    }
    const std::size_t size = text_.size();
    std::size_t i = pos_;
    while (true) {
      // qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII. Most bytes are
      // printable ASCII, which qdtext_run skips in bulk; the others are
      // checked one by one below.
      i += charset::qdtext_run(slice(i, size));
      if (i >= size) break;
      const auto c = static_cast<unsigned char>(text_[i]);
      if (c == '\t') {
        ++i;
        continue;
      }
      if (c == '"') {
        pos_ = i + 1;
        return slice(start, pos_);
      }
      if (c == '\\') {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        if (i + 1 >= size) break;
        const auto escaped = static_cast<unsigned char>(text_[i + 1]);
        if (escaped == '\r' || escaped == '\n' || escaped > 0x7F) {
          pos_ = i;
          error = "invalid escaped character in quoted string";
          return {};
        }
        i += 2;
        continue;
      }
      if (c == '\r') {
        // Folding inside a quoted string is LWS, which qdtext allows.
        if (i + 2 < size && text_[i + 1] == '\n' && charset::is_ws(text_[i + 2])) {
          i += 3;
          continue;
        }
        pos_ = i;
        error = "line break inside quoted string";
        return {};
      }
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence_length(text_, i);
        if (length == 0) {
          pos_ = i;
          error = "invalid UTF-8 in quoted string";
          return {};
        }
        i += length;
        continue;
      }
      pos_ = i;
      error = c == 0x7F ? "DEL character inside quoted string"
                        : "control character inside quoted string";
      return {};
    }
    pos_ = i;
    error = "unterminated quoted string";
    return {};
  }

  ParseError error(std::string reason) const { return error_at(pos_, std::move(reason)); }
  ParseError error_at(std::size_t pos, std::string reason) const {
    ParseError e;
    e.reason = std::move(reason);
    e.offset = base_ + pos;
    return e;
  }

 private:
  std::string_view text_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
};

// Removes the quotes of a quoted-string and resolves its quoted-pairs.
// Returns the view unchanged when it is not quoted.
std::string unquote(std::string_view quoted);

// Replaces each run of whitespace that contains a folded line break with one
// space, as §7.3.1 allows a receiver to do; other whitespace is kept.
std::string collapse_lws(std::string_view value);

}  // namespace sippay::sip
