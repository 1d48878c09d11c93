#include "payment/strict_json.hpp"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

namespace sippay::payment {
namespace {

// Thrown from the parser callback to stop parsing.
struct StrictJsonViolation {
  DecodeError error;
};

// Tracks open arrays and objects while nlohmann-json parses, and the member
// names seen so far in each open object.
class StructureGuard {
 public:
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (open_.size() == static_cast<std::size_t>(kMaxJsonDepth)) {
          throw StrictJsonViolation{
              {"", fmt::format("JSON nesting deeper than {} levels", kMaxJsonDepth)}};
        }
        open_.emplace_back();
        break;
      case Event::object_end:
      case Event::array_end:
        open_.pop_back();
        break;
      case Event::key: {
        const auto& name = parsed.get_ref<const std::string&>();
        if (!open_.back().insert(name).second) {
          throw StrictJsonViolation{{name, "duplicate member name"}};
        }
        break;
      }
      case Event::value:
        break;
    }
    return true;
  }

 private:
  // Member names per open container; an array's set stays empty.
  std::vector<std::set<std::string>> open_;
};

}  // namespace

DecodeResult<nlohmann::json> parse_strict_json(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return DecodeError{"", fmt::format("message of {} bytes exceeds the maximum of {} bytes",
                                       bytes.size(), max_bytes)};
  }
  nlohmann::json value;
  try {
    StructureGuard guard;
    value = nlohmann::json::parse(bytes.begin(), bytes.end(), std::ref(guard),
                                  /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const StrictJsonViolation& violation) {
    return violation.error;
  } catch (const nlohmann::json::exception& error) {
    return DecodeError{"", fmt::format("invalid JSON: {}", error.what())};
  }
  if (!value.is_object()) return DecodeError{"", "the message is not a JSON object"};
  return value;
}

}  // namespace sippay::payment
