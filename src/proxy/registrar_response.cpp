#include "proxy/registrar_response.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "proxy/registrar.hpp"
#include "sip/ua/identifiers.hpp"
#include "sip/ua/response_builder.hpp"

namespace sippay::proxy {
namespace {

// A q value in thousandths as the qvalue grammar writes it: "1", "0.5", "0.125".
std::string format_q(int thousandths) {
  if (thousandths >= 1000) return "1";
  std::string text = fmt::format("0.{:03}", thousandths);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::string format_contact_headers(std::span<const Binding> bindings, TimePoint now) {
  std::string out;
  for (const Binding& binding : bindings) {
    fmt::format_to(std::back_inserter(out), "Contact: <{}>;expires={}", binding.contact_uri,
                   remaining_seconds(binding, now));
    if (binding.q_thousandths >= 0) out += ";q=" + format_q(binding.q_thousandths);
    out += "\r\n";
  }
  return out;
}

std::string format_sip_date(TimePoint time) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss clock(floor<seconds>(time - day));
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
                     kWeekdays[weekday(day).c_encoding()], static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::string build_registrar_response(const sip::Message& request, const RegistrarResult& result) {
  sip::ResponseExtras extras;
  extras.to_tag = sip::new_tag();
  extras.extra_headers = result.extra_headers;
  return sip::build_response(request, result.status, result.reason, extras);
}

}  // namespace sippay::proxy
