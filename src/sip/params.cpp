#include "sip/params.hpp"

#include <algorithm>

#include "sip/charset.hpp"

namespace sippay::sip {
namespace {

bool is_folding_at(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && s[i] == '\r' && s[i + 1] == '\n' && charset::is_ws(s[i + 2]);
}

std::size_t skip_lws(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (charset::is_ws(s[i])) {
      ++i;
    } else if (is_folding_at(s, i)) {
      i += 3;
    } else {
      break;
    }
  }
  return i;
}

std::string_view trim_lws_right(std::string_view s) {
  while (!s.empty() && (charset::is_ws(s.back()) || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

void ParamList::Iterator::load() {
  const std::string_view raw = list_ == nullptr ? std::string_view{} : list_->raw_;
  if (pos_ >= raw.size()) {
    pos_ = raw.size();
    next_ = raw.size();
    return;
  }
  const bool header = list_->style_ == Style::kHeader || list_->style_ == Style::kAuth;
  char separator = ';';
  if (list_->style_ == Style::kUriHeaders) separator = '&';
  if (list_->style_ == Style::kAuth) separator = ',';
  std::size_t i = header ? skip_lws(raw, pos_) : pos_;
  // Each entry starts at its separator; the first URI header starts at `?`.
  const bool uri_headers = list_->style_ == Style::kUriHeaders;
  if (i < raw.size() && (raw[i] == separator || (uri_headers && raw[i] == '?'))) ++i;
  if (header) i = skip_lws(raw, i);

  const std::size_t name_start = i;
  while (i < raw.size() && raw[i] != '=' && raw[i] != separator &&
         !(header && (charset::is_ws(raw[i]) || raw[i] == '\r'))) {
    ++i;
  }
  current_ = Param{};
  current_.name = raw.substr(name_start, i - name_start);
  if (header) i = skip_lws(raw, i);

  if (i < raw.size() && raw[i] == '=') {
    ++i;
    if (header) i = skip_lws(raw, i);
    const std::size_t value_start = i;
    if (header && i < raw.size() && raw[i] == '"') {
      ++i;
      while (i < raw.size() && raw[i] != '"') i += raw[i] == '\\' ? 2 : 1;
      if (i < raw.size()) ++i;
    } else {
      while (i < raw.size() && raw[i] != separator &&
             !(header && (charset::is_ws(raw[i]) || raw[i] == '\r'))) {
        ++i;
      }
    }
    current_.value = raw.substr(value_start, std::min(i, raw.size()) - value_start);
    if (header) current_.value = trim_lws_right(current_.value);
    current_.has_value = true;
  }
  if (header) i = skip_lws(raw, i);
  next_ = std::min(i, raw.size());
  // A list the parser checked always moves forward; stop on anything else.
  if (next_ <= pos_) next_ = raw.size();
}

std::optional<Param> ParamList::find(std::string_view name) const {
  for (const Param& param : *this) {
    if (charset::iequals(param.name, name)) return param;
  }
  return std::nullopt;
}

std::size_t ParamList::size() const {
  std::size_t count = 0;
  for (auto it = begin(); it != end(); ++it) ++count;
  return count;
}

}  // namespace sippay::sip
