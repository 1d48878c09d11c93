#include "proxy/registrar_response.hpp"

#include <gtest/gtest.h>

#include "proxy/in_memory_location.hpp"
#include "proxy/proxy_test_support.hpp"
#include "proxy/registrar.hpp"

namespace sippay::proxy {
namespace {

using testing::kStart;
using testing::make_register;

TEST(RegistrarResponse, OkParsesWithEveryBinding) {
  InMemoryLocation location;
  RegistrarSettings settings;
  settings.domains = {"pay.test"};
  Registrar registrar(settings, location);
  const sip::Message request =
      make_register({.contacts = {"<sip:a@192.0.2.7>;q=0.4", "<sip:b@192.0.2.8;transport=tcp>"}, .expires = 900});

  const RegistrarResult result = registrar.process(request, kStart);
  const std::string text = build_registrar_response(request, result);
  const auto response = sip::parse_message_owned(text);

  ASSERT_TRUE(response.ok()) << text;
  const sip::Message& message = response.value();
  EXPECT_EQ(message.status_code(), 200);
  EXPECT_TRUE(message.to()->has_tag);
  EXPECT_EQ(message.call_id(), "call-1@client.test");
  ASSERT_NE(message.date(), nullptr);
  EXPECT_EQ(message.date()->unix_seconds, 1'700'000'000);
  ASSERT_EQ(message.contacts().size(), 2U);
  EXPECT_EQ(message.contacts()[0].address.uri.text, "sip:b@192.0.2.8;transport=tcp");
  EXPECT_EQ(message.contacts()[0].expires, 900U);
  EXPECT_EQ(message.contacts()[0].q_thousandths, -1);
  EXPECT_EQ(message.contacts()[1].address.uri.text, "sip:a@192.0.2.7");
  EXPECT_EQ(message.contacts()[1].q_thousandths, 400);
}

TEST(RegistrarResponse, TooBriefCarriesMinExpires) {
  InMemoryLocation location;
  RegistrarSettings settings;
  settings.domains = {"pay.test"};
  settings.min_expires = 300;
  Registrar registrar(settings, location);
  const sip::Message request = make_register({.contacts = {"<sip:a@192.0.2.7>"}, .expires = 30});

  const std::string text = build_registrar_response(request, registrar.process(request, kStart));
  const auto response = sip::parse_message_owned(text);

  ASSERT_TRUE(response.ok()) << text;
  EXPECT_EQ(response.value().status_code(), 423);
  EXPECT_EQ(response.value().status_line().reason_phrase, "Interval Too Brief");
  EXPECT_EQ(response.value().min_expires(), 300U);
}

}  // namespace
}  // namespace sippay::proxy
