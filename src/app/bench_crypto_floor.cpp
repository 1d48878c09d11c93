#include "app/bench_crypto_floor.hpp"

#include <sched.h>
#include <time.h>

#include <functional>
#include <stdexcept>
#include <thread>

#include <fmt/core.h>

#include "payment/dual_signature.hpp"
#include "payment/encoding.hpp"
#include "payment/message_codec.hpp"
#include "payment/messages.hpp"
#include "payment/pin_verification.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "security/cms_enveloped_data.hpp"
#include "security/cms_signed_data.hpp"
#include "security/private_key.hpp"
#include "security/smime_body.hpp"
#include "security/trust_store.hpp"

namespace sippay::app::bench {
namespace {

constexpr long kMinIterations = 10;

template <typename T>
T must_load(security::Result<T> result, const std::filesystem::path& path) {
  if (!result) throw std::runtime_error(fmt::format("failed to load {}: {}", path.string(), result.error().detail));
  return std::move(result.value());
}

security::SignerCredentials load_signer(const std::filesystem::path& certificate, const std::filesystem::path& key) {
  return {must_load(security::Certificate::load_pem_file(certificate), certificate),
          must_load(security::PrivateKey::load_pem_file(key), key),
          {}};
}

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  const unsigned reported = std::thread::hardware_concurrency();
  return reported > 0 ? reported : 1;
}

std::vector<security::PayloadPart> payload(std::string message) {
  return {{std::string(payment::kContentType), std::move(message)}};
}

template <typename T>
T must_succeed(security::CmsResult<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(fmt::format("{} failed: {}", what, result.error().to_string()));
  return std::move(result.value());
}

// One operation of the purchase: returns whether it succeeded, so that a
// broken setup cannot time a fast failure.
struct Operation {
  Side side;
  std::string name;
  std::function<bool()> run;
};

OperationCost time_operation(const Operation& operation, std::chrono::milliseconds per_operation) {
  if (!operation.run()) throw std::runtime_error(fmt::format("crypto floor: {} failed", operation.name));
  const double min_cpu = std::chrono::duration<double>(per_operation).count();
  const double cpu_start = thread_cpu_seconds();
  const auto wall_start = std::chrono::steady_clock::now();
  long iterations = 0;
  double cpu = 0;
  do {
    if (!operation.run()) throw std::runtime_error(fmt::format("crypto floor: {} failed", operation.name));
    ++iterations;
    cpu = thread_cpu_seconds() - cpu_start;
  } while (iterations < kMinIterations || cpu < min_cpu);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return {operation.side, operation.name, cpu * 1e6 / static_cast<double>(iterations),
          wall * 1e6 / static_cast<double>(iterations), iterations};
}

// The messages of one purchase, encoded and wrapped as they travel.
struct PurchaseMessages {
  std::string order, payment_information, dual_signature_input, dual_signature, bundle, payment_envelope;
  std::string purchase, purchase_envelope;
  security::SmimeBody payment_request, confirmation_request, confirmation_ack, customer_receipt,
      merchant_receipt;
  std::string confirmation_request_bytes, confirmation_ack_bytes, payment_request_bytes, receipt_bytes;
};

struct Parties {
  security::TrustStore trust;
  security::SignerCredentials customer, merchant, gateway;
};

PurchaseMessages build_messages(const FloorInputs& inputs, const Parties& parties) {
  roles::RandomIds ids;
  const payment::UtcTime now = payment::utc_now();
  const std::string purchase_id = ids.new_id();
  const std::string order_ref = ids.new_id();
  const std::string transaction_id = ids.new_id();
  constexpr std::int64_t kPrice = 250;
  PurchaseMessages m;

  m.order = payment::encode(payment::Order{purchase_id, inputs.merchant_uri, ids.new_id(), "bench-coffee", 1, kPrice,
                                           kPrice, "EUR", now});
  m.payment_information = payment::encode(payment::PaymentInformation{
      purchase_id, inputs.customer_account, inputs.pin, inputs.merchant_uri, kPrice, "EUR", now});
  m.dual_signature_input = payment::dual_signature_input_from_bytes(m.order, m.payment_information);
  m.dual_signature = must_succeed(security::sign_data(m.dual_signature_input, parties.customer), "DS sign");
  m.bundle = payment::encode(payment::PaymentBundle{m.payment_information, m.dual_signature});
  m.payment_envelope = must_succeed(
      security::encrypt_data(m.bundle, {parties.gateway.certificate}, parties.trust), "Env_PG");
  m.purchase = payment::encode(payment::Purchase{ids.new_id(), purchase_id, m.order,
                                                 payment::sha256(m.payment_information), m.dual_signature,
                                                 m.payment_envelope});
  m.purchase_envelope = must_succeed(security::encrypt_data(security::write_payload_entity(payload(m.purchase)),
                                                            {parties.merchant.certificate}, parties.trust),
                                     "purchase envelope");

  m.payment_request_bytes =
      payment::encode(payment::PaymentRequest{ids.new_id(), purchase_id, inputs.merchant_uri, order_ref,
                                              payment::sha256(m.order), kPrice, "EUR", m.payment_envelope, now});
  m.payment_request = must_succeed(security::seal_body(payload(m.payment_request_bytes), parties.merchant,
                                                       {parties.gateway.certificate}, parties.trust),
                                   "payment request seal");

  m.confirmation_request_bytes = payment::encode(payment::ConfirmationRequest{
      ids.new_id(), transaction_id, purchase_id, order_ref, inputs.merchant_uri, kPrice, "EUR",
      payment::sha256(m.order), now + std::chrono::seconds(120), now});
  m.confirmation_request = must_succeed(security::seal_body(payload(m.confirmation_request_bytes), parties.gateway,
                                                            {parties.customer.certificate}, parties.trust),
                                        "confirmation request seal");

  m.confirmation_ack_bytes = payment::encode(payment::ConfirmationAck{
      ids.new_id(), transaction_id, purchase_id, payment::Decision::kAccept,
      payment::sha256(m.confirmation_request_bytes), now});
  m.confirmation_ack = must_succeed(security::seal_body(payload(m.confirmation_ack_bytes), parties.customer,
                                                        {parties.gateway.certificate}, parties.trust),
                                    "confirmation ack seal");

  m.receipt_bytes = payment::encode(payment::Receipt{ids.new_id(), transaction_id, purchase_id, order_ref,
                                                     inputs.merchant_uri, kPrice, "EUR", payment::sha256(m.order),
                                                     now});
  m.customer_receipt = must_succeed(security::seal_body(payload(m.receipt_bytes), parties.gateway,
                                                        {parties.customer.certificate}, parties.trust),
                                    "receipt seal");
  m.merchant_receipt = must_succeed(security::seal_body(payload(m.receipt_bytes), parties.gateway,
                                                        {parties.merchant.certificate}, parties.trust),
                                    "receipt seal");
  return m;
}

// open_body as the payment endpoint calls it for a signed message from `sender`.
bool open_signed(const security::SmimeBody& body, const security::SignerCredentials& recipient,
                 const security::TrustStore& trust, const std::string& sender) {
  security::VerifyOptions options;
  options.claimed_sender = sender;
  return security::open_body(body.content_type, body.der, recipient.certificate, recipient.key, trust, options)
      .ok();
}

bool seal(const std::string& message, const security::SignerCredentials& signer,
          const security::Certificate& recipient, const security::TrustStore& trust) {
  return security::seal_body(payload(message), signer, {recipient}, trust).ok();
}

std::vector<Operation> purchase_operations(const FloorInputs& inputs, const Parties& p, const PurchaseMessages& m,
                                           const payment::PinKey& pin_key,
                                           const payment::PinVerificationValue& stored_pin) {
  const security::TrustStore& trust = p.trust;
  return {
      // The customer: the wallet's services, then the endpoint's seal and open.
      {Side::kCustomer, "DS: CMS SignedData sign",
       [&] { return security::sign_data(m.dual_signature_input, p.customer).ok(); }},
      {Side::kCustomer, "Env_PG(PI, DS): AuthEnvelopedData for the gateway",
       [&] { return security::encrypt_data(m.bundle, {p.gateway.certificate}, trust).ok(); }},
      {Side::kCustomer, "purchase: AuthEnvelopedData for the merchant",
       [&] {
         return security::encrypt_data(security::write_payload_entity(payload(m.purchase)), {p.merchant.certificate},
                                       trust)
             .ok();
       }},
      {Side::kCustomer, "confirmation request: open (decrypt, verify gateway)",
       [&] { return open_signed(m.confirmation_request, p.customer, trust, inputs.gateway_uri); }},
      {Side::kCustomer, "confirmation ack: seal (sign, envelope for gateway)",
       [&] { return seal(m.confirmation_ack_bytes, p.customer, p.gateway.certificate, trust); }},
      {Side::kCustomer, "receipt: open (decrypt, verify gateway)",
       [&] { return open_signed(m.customer_receipt, p.customer, trust, inputs.gateway_uri); }},

      // The merchant: the endpoint's unsigned-envelope path, the DS check, seal and open.
      {Side::kMerchant, "purchase: decrypt",
       [&] {
         auto decrypted = security::decrypt_data(m.purchase_envelope, p.merchant.certificate, p.merchant.key);
         if (!decrypted) return false;
         // The endpoint first looks for a signed entity inside, as here.
         const auto inner = security::parse_smime_entity(decrypted->content);
         const bool is_signed = inner && inner->smime_type == security::SmimeType::signed_data;
         return !is_signed && security::parse_payload_entity(decrypted->content).ok();
       }},
      {Side::kMerchant, "DS: verify (customer certificate chain, identity)",
       [&] {
         security::VerifyOptions options;
         options.claimed_sender = inputs.customer_uri;
         return security::verify_signed_data(m.dual_signature, trust, options).ok();
       }},
      {Side::kMerchant, "payment request: seal (sign, envelope for gateway)",
       [&] { return seal(m.payment_request_bytes, p.merchant, p.gateway.certificate, trust); }},
      {Side::kMerchant, "receipt: open (decrypt, verify gateway)",
       [&] { return open_signed(m.merchant_receipt, p.merchant, trust, inputs.gateway_uri); }},

      // The gateway: open the merchant's request, then the bundle, DS and PIN inside.
      {Side::kGateway, "payment request: open (decrypt, verify merchant)",
       [&] { return open_signed(m.payment_request, p.gateway, trust, inputs.merchant_uri); }},
      {Side::kGateway, "Env_PG(PI, DS): decrypt",
       [&] { return security::decrypt_data(m.payment_envelope, p.gateway.certificate, p.gateway.key).ok(); }},
      {Side::kGateway, "DS: verify (customer certificate chain)",
       [&] {
         security::VerifyOptions options;
         options.require_identity = false;
         return security::verify_signed_data(m.dual_signature, trust, options).ok();
       }},
      {Side::kGateway, "PIN: HMAC verification value",
       [&] { return payment::verify_pin(pin_key, inputs.customer_account, inputs.pin, stored_pin); }},
      {Side::kGateway, "confirmation request: seal (sign, envelope for customer)",
       [&] { return seal(m.confirmation_request_bytes, p.gateway, p.customer.certificate, trust); }},
      {Side::kGateway, "confirmation ack: open (decrypt, verify customer)",
       [&] { return open_signed(m.confirmation_ack, p.gateway, trust, inputs.customer_uri); }},
      {Side::kGateway, "receipt to customer: seal",
       [&] { return seal(m.receipt_bytes, p.gateway, p.customer.certificate, trust); }},
      {Side::kGateway, "receipt to merchant: seal",
       [&] { return seal(m.receipt_bytes, p.gateway, p.merchant.certificate, trust); }},
  };
}

}  // namespace

std::string_view to_string(Side side) {
  switch (side) {
    case Side::kCustomer:
      return "customer";
    case Side::kMerchant:
      return "merchant";
    case Side::kGateway:
      return "gateway";
  }
  return "unknown";
}

double CryptoFloor::side_cpu_us(Side side) const {
  double sum = 0;
  for (const OperationCost& operation : operations) {
    if (operation.side == side) sum += operation.cpu_us;
  }
  return sum;
}

double CryptoFloor::total_cpu_us() const {
  double sum = 0;
  for (const OperationCost& operation : operations) sum += operation.cpu_us;
  return sum;
}

double CryptoFloor::purchases_per_second() const {
  const double total = total_cpu_us();
  return total > 0 ? static_cast<double>(cores) * 1e6 / total : 0;
}

double CryptoFloor::side_purchases_per_second(Side side) const {
  const double cost = side_cpu_us(side);
  return cost > 0 ? 1e6 / cost : 0;
}

CryptoFloor measure_crypto_floor(const FloorInputs& inputs, std::chrono::milliseconds per_operation) {
  Parties parties{must_load(security::TrustStore::load(inputs.ca, inputs.crl), inputs.ca),
                  load_signer(inputs.customer_certificate, inputs.customer_key),
                  load_signer(inputs.merchant_certificate, inputs.merchant_key),
                  load_signer(inputs.gateway_certificate, inputs.gateway_key)};
  const PurchaseMessages messages = build_messages(inputs, parties);
  const payment::PinKey pin_key = payment::load_pin_key_file(inputs.pin_key);
  const payment::PinVerificationValue stored_pin =
      payment::compute_pin_verification_value(pin_key, inputs.customer_account, inputs.pin);

  CryptoFloor floor;
  floor.cores = usable_cores();
  for (const Operation& operation : purchase_operations(inputs, parties, messages, pin_key, stored_pin)) {
    floor.operations.push_back(time_operation(operation, per_operation));
  }
  return floor;
}

CryptoFloor fastest_of(const CryptoFloor& first, const CryptoFloor& second) {
  if (first.operations.size() != second.operations.size() || first.cores != second.cores) {
    throw std::invalid_argument("crypto floor: the two measurements differ in their operations or CPUs");
  }
  CryptoFloor floor;
  floor.cores = first.cores;
  for (std::size_t i = 0; i < first.operations.size(); ++i) {
    const OperationCost& first_cost = first.operations[i];
    const OperationCost& second_cost = second.operations[i];
    if (first_cost.side != second_cost.side || first_cost.name != second_cost.name) {
      throw std::invalid_argument(
          fmt::format("crypto floor: operation {} is \"{}\" in one measurement and \"{}\" in the other", i + 1,
                      first_cost.name, second_cost.name));
    }
    floor.operations.push_back(second_cost.cpu_us < first_cost.cpu_us ? second_cost : first_cost);
  }
  return floor;
}

}  // namespace sippay::app::bench
