// Parameter lists: the `;name=value` lists of URIs and of header fields, and
// the `?name=value&...` header list of a SIP URI.
//
// A ParamList is a view of the list as it was written and was checked by the
// parser that made it, so iterating it never fails and never allocates.
// Values keep their escapes and quotes; `unescape` and `unquote` copy them
// out on demand.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sippay::sip {

struct Param {
  std::string_view name;
  std::string_view value;  // empty when the parameter has no value
  bool has_value = false;
};

class ParamList {
 public:
  enum class Style : unsigned char {
    kHeader,     // `;` separated, SWS around `;` and `=`, quoted-string values (§25.1 generic-param)
    kUri,        // `;` separated, no whitespace (§25.1 uri-parameters)
    kUriHeaders,  // `&` separated, no whitespace (§25.1 headers)
    kAuth         // `,` separated, LWS around `,` and `=`, quoted values (§25.1 auth-param)
  };

  ParamList() = default;
  // `raw` starts at the first separator (`;` or `?`) or is empty.
  ParamList(std::string_view raw, Style style) : raw_(raw), style_(style) {}

  class Iterator {
   public:
    using value_type = Param;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(const ParamList* list, std::size_t pos) : list_(list), pos_(pos) { load(); }
    const Param& operator*() const { return current_; }
    const Param* operator->() const { return &current_; }
    Iterator& operator++() {
      pos_ = next_;
      load();
      return *this;
    }
    Iterator operator++(int) {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    bool operator==(const Iterator& other) const { return pos_ == other.pos_; }

   private:
    void load();
    const ParamList* list_ = nullptr;
    std::size_t pos_ = 0;
    std::size_t next_ = 0;
    Param current_;
  };

  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, raw_.size()); }
  bool empty() const { return raw_.empty(); }
  std::string_view raw() const { return raw_; }
  Style style() const { return style_; }

  // First parameter named `name`, compared without regard to ASCII case.
  std::optional<Param> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  std::size_t size() const;

 private:
  std::string_view raw_;
  Style style_ = Style::kHeader;
};

}  // namespace sippay::sip
