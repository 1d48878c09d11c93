#include "proxy/registrar.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "proxy/in_memory_location.hpp"
#include "proxy/proxy_test_support.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::kStart;
using testing::make_register;
using testing::RegisterSpec;

RegistrarSettings pay_test_settings() {
  RegistrarSettings settings;
  settings.domains = {"pay.test", "other.test"};
  return settings;
}

class RegistrarTest : public ::testing::Test {
 protected:
  RegistrarResult send(const RegisterSpec& spec, TimePoint now = kStart) {
    return registrar_.process(make_register(spec), now, "udp:192.0.2.7:5060");
  }
  RegistrarResult fetch(TimePoint now) { return send(RegisterSpec{.call_id = "fetch", .cseq = 1}, now); }
  std::vector<std::string> contact_uris(TimePoint now = kStart) {
    std::vector<std::string> uris;
    for (const Binding& binding : location_.lookup("sip:alice@pay.test", now)) {
      uris.push_back(binding.contact_uri);
    }
    return uris;
  }

  InMemoryLocation location_;
  Registrar registrar_{pay_test_settings(), location_};
};

TEST_F(RegistrarTest, RegisterAddsBinding) {
  const RegistrarResult result = send({.contacts = {"<sip:alice@192.0.2.7:5060>"}});

  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.reason, "OK");
  EXPECT_EQ(result.aor, "sip:alice@pay.test");
  EXPECT_EQ(result.extra_headers,
            "Contact: <sip:alice@192.0.2.7:5060>;expires=3600\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
  ASSERT_EQ(result.bindings.size(), 1U);
  const Binding& binding = result.bindings[0];
  EXPECT_EQ(binding.aor, "sip:alice@pay.test");
  EXPECT_EQ(binding.contact_uri, "sip:alice@192.0.2.7:5060");
  EXPECT_EQ(binding.expires_at, kStart + 3600s);
  EXPECT_EQ(binding.call_id, "call-1@client.test");
  EXPECT_EQ(binding.cseq, 1U);
  EXPECT_EQ(binding.registered_at, kStart);
  EXPECT_EQ(binding.updated_at, kStart);
  EXPECT_EQ(binding.source, "udp:192.0.2.7:5060");
  EXPECT_EQ(location_.lookup("sip:alice@pay.test", kStart), result.bindings);
}

TEST_F(RegistrarTest, ExpiryParameterOverridesHeader) {
  const RegistrarResult result = send({.contacts = {"<sip:a@192.0.2.7>;expires=120", "<sip:b@192.0.2.7>"},
                                       .expires = 600});

  ASSERT_EQ(result.status, 200);
  ASSERT_EQ(result.bindings.size(), 2U);
  for (const Binding& binding : result.bindings) {
    const auto expected = binding.contact_uri == "sip:a@192.0.2.7" ? 120s : 600s;
    EXPECT_EQ(binding.expires_at, kStart + expected) << binding.contact_uri;
  }
}

TEST_F(RegistrarTest, RefreshExtendsBinding) {
  ASSERT_EQ(send({.cseq = 1, .contacts = {"<sip:alice@192.0.2.7>"}, .expires = 600}).status, 200);

  const RegistrarResult result =
      send({.cseq = 2, .contacts = {"<sip:alice@192.0.2.7>"}, .expires = 600}, kStart + 500s);

  ASSERT_EQ(result.status, 200);
  ASSERT_EQ(result.bindings.size(), 1U);
  EXPECT_EQ(result.bindings[0].expires_at, kStart + 1100s);
  EXPECT_EQ(result.bindings[0].registered_at, kStart);
  EXPECT_EQ(result.bindings[0].updated_at, kStart + 500s);
  EXPECT_EQ(result.bindings[0].cseq, 2U);
}

TEST_F(RegistrarTest, BindingExpires) {
  ASSERT_EQ(send({.contacts = {"<sip:alice@192.0.2.7>"}, .expires = 600}).status, 200);

  EXPECT_EQ(contact_uris(kStart + 599s).size(), 1U);
  EXPECT_TRUE(contact_uris(kStart + 600s).empty());
  const RegistrarResult later = fetch(kStart + 601s);
  EXPECT_EQ(later.status, 200);
  EXPECT_TRUE(later.bindings.empty());
  EXPECT_EQ(later.extra_headers.find("Contact:"), std::string::npos);
}

TEST_F(RegistrarTest, ExpiresZeroRemovesOneContact) {
  ASSERT_EQ(send({.cseq = 1, .contacts = {"<sip:a@192.0.2.7>", "<sip:b@192.0.2.7>"}}).status, 200);

  const RegistrarResult result = send({.cseq = 2, .contacts = {"<sip:a@192.0.2.7>;expires=0"}});

  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(contact_uris(), std::vector<std::string>{"sip:b@192.0.2.7"});
  EXPECT_EQ(result.bindings.size(), 1U);
}

TEST_F(RegistrarTest, ExpiresZeroForUnknownContactChangesNothing) {
  const RegistrarResult result = send({.contacts = {"<sip:a@192.0.2.7>"}, .expires = 0});

  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.bindings.empty());
  EXPECT_EQ(location_.size(), 0U);
}

TEST_F(RegistrarTest, StarWithExpiresZeroRemovesAll) {
  ASSERT_EQ(send({.call_id = "phone", .contacts = {"<sip:a@192.0.2.7>"}}).status, 200);
  ASSERT_EQ(send({.call_id = "laptop", .contacts = {"<sip:b@192.0.2.8>"}}).status, 200);

  const RegistrarResult result = send({.call_id = "phone", .cseq = 2, .contacts = {"*"}, .expires = 0});

  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.bindings.empty());
  EXPECT_TRUE(contact_uris().empty());
}

TEST_F(RegistrarTest, StarNeedsExpiresZero) {
  ASSERT_EQ(send({.contacts = {"<sip:a@192.0.2.7>"}}).status, 200);

  const RegistrarResult without_expires = send({.cseq = 2, .contacts = {"*"}});
  const RegistrarResult nonzero_expires = send({.cseq = 3, .contacts = {"*"}, .expires = 3600});

  EXPECT_EQ(without_expires.status, 400);
  EXPECT_EQ(nonzero_expires.status, 400);
  EXPECT_EQ(contact_uris().size(), 1U);
}

TEST_F(RegistrarTest, StarWithOtherContactsFailsToParse) {
  // The codec rejects this message, so the registrar never receives it.
  const auto parsed = sip::parse_message_owned(
      testing::register_text({.contacts = {"*", "<sip:a@192.0.2.7>"}, .expires = 0}));

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().status_code, 400);
}

TEST_F(RegistrarTest, TooBriefGets423) {
  const RegistrarResult result =
      send({.contacts = {"<sip:a@192.0.2.7>", "<sip:b@192.0.2.7>;expires=59"}});

  EXPECT_EQ(result.status, 423);
  EXPECT_EQ(result.reason, "Interval Too Brief");
  EXPECT_EQ(result.extra_headers, "Min-Expires: 60\r\n");
  EXPECT_EQ(location_.size(), 0U);
}

TEST_F(RegistrarTest, MinimumExpiryIsAccepted) {
  const RegistrarResult result = send({.contacts = {"<sip:a@192.0.2.7>"}, .expires = 60});

  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.bindings[0].expires_at, kStart + 60s);
}

TEST_F(RegistrarTest, MinimumAboveAnHourSpares423) {
  InMemoryLocation location;
  RegistrarSettings settings = pay_test_settings();
  settings.min_expires = 7200;
  settings.default_expires = 7200;
  Registrar registrar(settings, location);

  // §10.3 allows 423 only below one hour.
  const RegistrarResult hour = registrar.process(
      make_register({.contacts = {"<sip:a@192.0.2.7>"}, .expires = 3600}), kStart);
  const RegistrarResult half_hour = registrar.process(
      make_register({.cseq = 2, .contacts = {"<sip:a@192.0.2.7>"}, .expires = 1800}), kStart);

  EXPECT_EQ(hour.status, 200);
  EXPECT_EQ(half_hour.status, 423);
  EXPECT_EQ(half_hour.extra_headers, "Min-Expires: 7200\r\n");
}

TEST_F(RegistrarTest, LongExpiryIsClamped) {
  const RegistrarResult result = send({.contacts = {"<sip:a@192.0.2.7>;expires=4294967295"}});

  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.bindings[0].expires_at, kStart + 86400s);
  EXPECT_NE(result.extra_headers.find(";expires=86400\r\n"), std::string::npos);
}

TEST_F(RegistrarTest, ContactsOrderedByQ) {
  const RegistrarResult result = send({.contacts = {"<sip:low@192.0.2.7>;q=0.1", "<sip:half@192.0.2.7>;q=0.5",
                                                    "<sip:none@192.0.2.7>", "<sip:top@192.0.2.7>;q=0.9"}});

  ASSERT_EQ(result.status, 200);
  // An absent q counts as 1.0.
  const std::vector<std::string> expected = {"sip:none@192.0.2.7", "sip:top@192.0.2.7",
                                             "sip:half@192.0.2.7", "sip:low@192.0.2.7"};
  EXPECT_EQ(contact_uris(), expected);
  EXPECT_EQ(result.extra_headers,
            "Contact: <sip:none@192.0.2.7>;expires=3600\r\n"
            "Contact: <sip:top@192.0.2.7>;expires=3600;q=0.9\r\n"
            "Contact: <sip:half@192.0.2.7>;expires=3600;q=0.5\r\n"
            "Contact: <sip:low@192.0.2.7>;expires=3600;q=0.1\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
}

TEST_F(RegistrarTest, EqualQOrderedByRecency) {
  ASSERT_EQ(send({.call_id = "old", .contacts = {"<sip:old@192.0.2.7>;q=0.5"}}).status, 200);
  ASSERT_EQ(send({.call_id = "new", .contacts = {"<sip:new@192.0.2.7>;q=0.5"}}, kStart + 10s).status, 200);

  EXPECT_EQ(contact_uris(kStart + 20s), (std::vector<std::string>{"sip:new@192.0.2.7", "sip:old@192.0.2.7"}));

  // Refreshing the older one makes it the most recent.
  ASSERT_EQ(send({.call_id = "old", .cseq = 2, .contacts = {"<sip:old@192.0.2.7>;q=0.5"}}, kStart + 20s).status,
            200);
  EXPECT_EQ(contact_uris(kStart + 30s), (std::vector<std::string>{"sip:old@192.0.2.7", "sip:new@192.0.2.7"}));
}

TEST_F(RegistrarTest, QueryListsRemainingExpiry) {
  ASSERT_EQ(send({.contacts = {"<sip:a@192.0.2.7>;q=0.7"}, .expires = 600}).status, 200);

  const RegistrarResult result = fetch(kStart + 100s + 500ms);

  EXPECT_EQ(result.status, 200);
  // 499.5 s remain, rounded up.
  EXPECT_EQ(result.extra_headers,
            "Contact: <sip:a@192.0.2.7>;expires=500;q=0.7\r\n"
            "Date: Tue, 14 Nov 2023 22:15:00 GMT\r\n");
  EXPECT_EQ(location_.lookup("sip:alice@pay.test", kStart)[0].call_id, "call-1@client.test");
}

TEST_F(RegistrarTest, SameCallIdNeedsHigherCSeq) {
  ASSERT_EQ(send({.cseq = 5, .contacts = {"<sip:a@192.0.2.7>"}, .expires = 600}).status, 200);

  const RegistrarResult lower = send({.cseq = 4, .contacts = {"<sip:a@192.0.2.7>"}, .expires = 0});
  const RegistrarResult equal = send({.cseq = 5, .contacts = {"<sip:a@192.0.2.7>"}, .expires = 1200});

  EXPECT_EQ(lower.status, 500);
  EXPECT_EQ(lower.reason, "Out of Order REGISTER");
  EXPECT_EQ(equal.status, 500);
  const std::vector<Binding> stored = location_.lookup("sip:alice@pay.test", kStart);
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].expires_at, kStart + 600s);
  EXPECT_EQ(stored[0].cseq, 5U);
}

TEST_F(RegistrarTest, OutOfOrderContactAbortsWholeRequest) {
  ASSERT_EQ(send({.cseq = 5, .contacts = {"<sip:a@192.0.2.7>"}}).status, 200);

  const RegistrarResult result = send({.cseq = 3, .contacts = {"<sip:b@192.0.2.7>", "<sip:a@192.0.2.7>"}});

  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(contact_uris(), std::vector<std::string>{"sip:a@192.0.2.7"});
}

TEST_F(RegistrarTest, OtherCallIdUpdatesRegardlessOfCSeq) {
  ASSERT_EQ(send({.call_id = "before-reboot", .cseq = 90, .contacts = {"<sip:a@192.0.2.7>"}}).status, 200);

  const RegistrarResult result =
      send({.call_id = "after-reboot", .cseq = 1, .contacts = {"<sip:a@192.0.2.7>"}, .expires = 900});

  ASSERT_EQ(result.status, 200);
  ASSERT_EQ(result.bindings.size(), 1U);
  EXPECT_EQ(result.bindings[0].call_id, "after-reboot");
  EXPECT_EQ(result.bindings[0].cseq, 1U);
  EXPECT_EQ(result.bindings[0].expires_at, kStart + 900s);
}

TEST_F(RegistrarTest, StarOutOfOrderRemovesNothing) {
  ASSERT_EQ(send({.call_id = "phone", .cseq = 7, .contacts = {"<sip:a@192.0.2.7>"}}).status, 200);
  ASSERT_EQ(send({.call_id = "laptop", .cseq = 1, .contacts = {"<sip:b@192.0.2.8>"}}).status, 200);

  const RegistrarResult result = send({.call_id = "phone", .cseq = 7, .contacts = {"*"}, .expires = 0});

  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(contact_uris().size(), 2U);
}

TEST_F(RegistrarTest, EquivalentUriMatchesBinding) {
  ASSERT_EQ(send({.cseq = 1, .contacts = {"<sip:alice@Client.Example:5060;transport=udp>"}}).status, 200);

  // §19.1.4: the host compares without case, the transport parameter too.
  const RegistrarResult result =
      send({.cseq = 2, .contacts = {"<sip:alice@client.example:5060;transport=UDP>"}, .expires = 0});

  ASSERT_EQ(result.status, 200);
  EXPECT_TRUE(contact_uris().empty());
}

TEST_F(RegistrarTest, ContactBoundRejectsNewBinding) {
  InMemoryLocation location;
  RegistrarSettings settings = pay_test_settings();
  settings.max_contacts_per_aor = 2;
  Registrar registrar(settings, location);
  auto process = [&](const RegisterSpec& spec) { return registrar.process(make_register(spec), kStart); };
  ASSERT_EQ(process({.cseq = 1, .contacts = {"<sip:a@192.0.2.7>", "<sip:b@192.0.2.7>"}}).status, 200);

  const RegistrarResult third = process({.cseq = 2, .contacts = {"<sip:c@192.0.2.7>"}});
  const RegistrarResult refresh = process({.cseq = 3, .contacts = {"<sip:a@192.0.2.7>"}});
  const RegistrarResult swap =
      process({.cseq = 4, .contacts = {"<sip:a@192.0.2.7>;expires=0", "<sip:c@192.0.2.7>"}});

  EXPECT_EQ(third.status, 403);
  EXPECT_EQ(third.reason, "Too Many Contacts");
  EXPECT_EQ(refresh.status, 200);
  EXPECT_EQ(swap.status, 200);
  std::vector<std::string> uris;
  for (const Binding& binding : location.lookup("sip:alice@pay.test", kStart)) uris.push_back(binding.contact_uri);
  std::sort(uris.begin(), uris.end());
  EXPECT_EQ(uris, (std::vector<std::string>{"sip:b@192.0.2.7", "sip:c@192.0.2.7"}));
}

TEST_F(RegistrarTest, ContactBoundCountsLiveBindingsOnly) {
  InMemoryLocation location;
  RegistrarSettings settings = pay_test_settings();
  settings.max_contacts_per_aor = 1;
  Registrar registrar(settings, location);
  ASSERT_EQ(registrar.process(make_register({.contacts = {"<sip:a@192.0.2.7>"}, .expires = 60}), kStart).status,
            200);

  const RegistrarResult result =
      registrar.process(make_register({.cseq = 2, .contacts = {"<sip:b@192.0.2.7>"}}), kStart + 61s);

  EXPECT_EQ(result.status, 200);
}

TEST_F(RegistrarTest, DomainNotServedGets404) {
  const RegistrarResult result =
      send({.request_uri = "sip:elsewhere.test", .to = "sip:alice@elsewhere.test", .contacts = {"<sip:a@192.0.2.7>"}});

  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(result.reason, "Domain Not Served Here");
  EXPECT_EQ(location_.size(), 0U);
}

TEST_F(RegistrarTest, RequestUriOfOtherDomainGets404) {
  const RegistrarResult result =
      send({.request_uri = "sip:other.test", .contacts = {"<sip:a@192.0.2.7>"}});

  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(location_.size(), 0U);
}

TEST_F(RegistrarTest, RequestUriByAddressIsAccepted) {
  const RegistrarResult result =
      send({.request_uri = "sip:127.0.0.1:5070", .contacts = {"<sip:a@192.0.2.7>"}});

  EXPECT_EQ(result.status, 200);
}

TEST(RegistrarAddressTest, RequestUriByServedAddressIsAccepted) {
  InMemoryLocation location;
  RegistrarSettings settings;
  settings.domains = {"pay.test", "127.0.0.1"};
  Registrar registrar(settings, location);

  const RegistrarResult result = registrar.process(
      make_register({.request_uri = "sip:127.0.0.1:5070", .contacts = {"<sip:a@192.0.2.7>"}}), kStart);

  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(location.lookup("sip:alice@pay.test", kStart).size(), 1U);
}

TEST_F(RegistrarTest, ToWithoutUserGets404) {
  const RegistrarResult tel = send({.to = "tel:+15551234567", .contacts = {"<sip:a@192.0.2.7>"}});
  const RegistrarResult no_user = send({.to = "sip:pay.test", .contacts = {"<sip:a@192.0.2.7>"}});

  EXPECT_EQ(tel.status, 404);
  EXPECT_EQ(no_user.status, 404);
}

TEST_F(RegistrarTest, SpellingsOfAorShareBindings) {
  ASSERT_EQ(send({.to = "sip:%61lice@PAY.test:5060;user=ip", .contacts = {"<sip:a@192.0.2.7>"}}).status, 200);

  EXPECT_EQ(contact_uris(), std::vector<std::string>{"sip:a@192.0.2.7"});
}

TEST_F(RegistrarTest, NonSipContactGets400) {
  const RegistrarResult result = send({.contacts = {"<mailto:alice@pay.test>"}});

  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(location_.size(), 0U);
}

TEST_F(RegistrarTest, RepeatedContactGets400) {
  const RegistrarResult result =
      send({.contacts = {"<sip:a@192.0.2.7>;expires=600", "<sip:a@192.0.2.7>;expires=0"}});

  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.reason, "Contact Listed Twice");
}

TEST_F(RegistrarTest, OtherMethodGets405) {
  const RegistrarResult result =
      send({.method = "OPTIONS", .contacts = {"<sip:a@192.0.2.7>"}});

  EXPECT_EQ(result.status, 405);
  EXPECT_EQ(result.extra_headers, "Allow: REGISTER\r\n");
}

TEST_F(RegistrarTest, MissingHeaderGets400) {
  std::string text = testing::register_text({.contacts = {"<sip:a@192.0.2.7>"}});
  const std::size_t call_id_start = text.find("Call-ID:");
  const std::size_t call_id_end = text.find("\r\n", call_id_start) + 2;
  text.erase(call_id_start, call_id_end - call_id_start);
  const auto parsed = sip::parse_message_owned(text);
  ASSERT_TRUE(parsed.ok());
  ASSERT_NE(parsed.value().semantic_error(), nullptr);

  const RegistrarResult result = registrar_.process(parsed.value(), kStart);

  EXPECT_EQ(result.status, 400);
}

// Accepts lookups and fails every write, as a full disk would.
class FailingLocation final : public LocationService {
 public:
  std::vector<Binding> lookup(std::string_view aor, TimePoint now) const override {
    return inner.lookup(aor, now);
  }
  void replace(std::string_view, std::vector<Binding>) override {
    throw LocationError("location database test.db: disk I/O error");
  }
  std::size_t sweep(TimePoint now) override { return inner.sweep(now); }
  std::size_t size() const override { return inner.size(); }

  InMemoryLocation inner;
};

TEST(RegistrarStorage, WriteFailureGets500) {
  FailingLocation location;
  Registrar registrar(pay_test_settings(), location);

  const RegistrarResult result =
      registrar.process(make_register({.contacts = {"<sip:a@192.0.2.7>"}}), kStart);

  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(result.reason, "Server Internal Error");
  EXPECT_TRUE(result.bindings.empty());
}

TEST(RegistrarSettingsCheck, InconsistentSettingsThrow) {
  InMemoryLocation location;
  auto settings_with = [](auto change) {
    RegistrarSettings settings = pay_test_settings();
    change(settings);
    return settings;
  };

  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.domains.clear(); }), location), std::invalid_argument);
  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.domains.push_back(""); }), location),
               std::invalid_argument);
  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.min_expires = 90000; }), location), std::invalid_argument);
  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.default_expires = 30; }), location),
               std::invalid_argument);
  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.max_expires = 0; }), location), std::invalid_argument);
  EXPECT_THROW(Registrar(settings_with([](auto& s) { s.max_contacts_per_aor = 0; }), location),
               std::invalid_argument);
  EXPECT_NO_THROW(Registrar(pay_test_settings(), location));
}

TEST(RegistrarDomains, DomainsCompareWithoutCase) {
  InMemoryLocation location;
  RegistrarSettings settings;
  settings.domains = {"Pay.TEST"};
  Registrar registrar(settings, location);

  const RegistrarResult result = registrar.process(
      make_register({.to = "sip:alice@PAY.test", .contacts = {"<sip:a@192.0.2.7>"}}), kStart);

  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.aor, "sip:alice@pay.test");
}

}  // namespace
}  // namespace sippay::proxy
