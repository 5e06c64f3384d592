#include "engine/cloud_event_converter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>

#include "ccm/sdk/codec.hpp"
#include "engine/event_payloads.hpp"
#include "event_payload_samples.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

const std::string kFixedId = "0b6f9d4e-3c1a-4f7e-9a2b-5d8c7e6f1a20";

CloudEventConverter::UuidGenerator fixedId() {
  return [] { return kFixedId; };
}

bool isUuidV4(const std::string& id) {
  static const std::regex kShape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(id, kShape);
}

TEST(CloudEventConverter, SetsEveryAttributeExactly) {
  const CloudEventConverter converter("urn:ccm-gateway:lab-east", "", fixedId());
  const DomainEvent event{"ccm.lablet.session.running", "ls-1", R"({"session_id":"ls-1"})", "2026-02-18T10:00:00Z"};

  sdk::CloudEvent expected;
  expected.specversion = "1.0";
  expected.id = kFixedId;
  expected.source = "urn:ccm-gateway:lab-east";
  expected.type = "ccm.lablet.session.running";
  expected.datacontenttype = "application/json";
  expected.dataschema = "urn:ccm-gateway:schemas:ccm.lablet.session.running:1.0";
  expected.subject = "ls-1";
  expected.time = "2026-02-18T10:00:00Z";
  expected.data = sdk::Data::json(R"({"session_id":"ls-1"})");
  EXPECT_EQ(converter.convert(event), expected);
}

TEST(CloudEventConverter, DataschemaPointsAtTheGatewayWhenABaseUrlIsConfigured) {
  const CloudEventConverter converter("urn:ccm-gateway", "https://ccm.example:8443", fixedId());
  const auto cloud_event = converter.convert(event_testing::sessionSample(SessionState::Graded));
  EXPECT_EQ(cloud_event.dataschema, "https://ccm.example:8443/api/v1/schemas/ccm.lablet.session.graded?version=1.0");
}

TEST(CloudEventConverter, StructuredFormCarriesEveryAttribute) {
  const CloudEventConverter converter("urn:ccm-gateway", "", fixedId());
  const auto cloud_event = converter.convert(definitionCreated(event_testing::definition(), event_testing::kNow));
  EXPECT_EQ(sdk::toStructured(cloud_event),
            R"({"specversion":"1.0","id":"0b6f9d4e-3c1a-4f7e-9a2b-5d8c7e6f1a20","source":"urn:ccm-gateway",)"
            R"("type":"ccm.lablet.definition.created","datacontenttype":"application/json",)"
            R"("dataschema":"urn:ccm-gateway:schemas:ccm.lablet.definition.created:1.0","subject":"def-1",)"
            R"("time":"2026-02-18T10:00:00Z","data":{"definition_id":"def-1","name":"CCNA switching",)"
            R"("version":3,"timestamp":"2026-02-18T10:00:00Z"}})");
}

TEST(CloudEventConverter, EmptySubjectIsOmitted) {
  const CloudEventConverter converter("urn:ccm-gateway", "", fixedId());
  const auto cloud_event = converter.convert(
      scalingEvent("ccm.scaling.up.requested", "", "cml-large", "queue depth 12", "2026-02-18T10:00:00Z"));
  EXPECT_EQ(cloud_event.subject, std::nullopt);
  EXPECT_FALSE(sdk::validate(cloud_event));
}

TEST(CloudEventConverter, UnknownTypeIsALogicError) {
  const CloudEventConverter converter("urn:ccm-gateway", "", fixedId());
  try {
    converter.convert(DomainEvent{"ccm.lablet.instance.running", "li-1", "{}", "2026-02-18T10:00:00Z"});
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("\"ccm.lablet.instance.running\""));
    EXPECT_THAT(error.what(), HasSubstr("li-1"));
  }
}

TEST(CloudEventConverter, EmptySourceIsRejected) {
  EXPECT_THROW(CloudEventConverter("", "", fixedId()), std::invalid_argument);
}

TEST(CloudEventConverter, EachConversionDrawsAFreshId) {
  int calls = 0;
  const CloudEventConverter converter("urn:ccm-gateway", "", [&calls] { return "id-" + std::to_string(++calls); });
  const auto event = event_testing::sessionSample(SessionState::Pending);
  EXPECT_EQ(converter.convert(event).id, "id-1");
  EXPECT_EQ(converter.convert(event).id, "id-2");
}

TEST(CloudEventConverter, DefaultIdsAreDistinctUuidV4) {
  const CloudEventConverter converter("urn:ccm-gateway", "");
  const auto event = event_testing::sessionSample(SessionState::Pending);
  const auto first = converter.convert(event).id;
  const auto second = converter.convert(event).id;
  EXPECT_TRUE(isUuidV4(first)) << first;
  EXPECT_TRUE(isUuidV4(second)) << second;
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace ccm::core
