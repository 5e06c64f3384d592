#include "sas_token.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/crypto.hpp"
#include "eventgrid_auth.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const std::string kKeyBytes = *common::base64Decode("ZmFrZS1ldmVudC1ncmlkLWFjY2Vzcy1rZXktMzJieXQ=");

// The expected tokens were computed apart from this code, with Azure's Python
// sample (quote_plus, HMAC-SHA256 keyed with b64decode(key), b64encode).
TEST(EventGridSasToken, MatchesAzuresAlgorithmForACustomTopic) {
  EXPECT_EQ(sasToken("https://lab-events.westeurope-1.eventgrid.azure.net/api/events",
                     system_clock::from_time_t(1741944413) + 1h, kKeyBytes),
            "r=https%3A%2F%2Flab-events.westeurope-1.eventgrid.azure.net%2Fapi%2Fevents"
            "&e=3%2F14%2F2025+10%3A26%3A53+AM"
            "&s=vpeQ9oNaLL4indWH0cdkVRTcjXfoDtu977%2FOX1TY4YE%3D");
}

TEST(EventGridSasToken, MatchesAzuresAlgorithmForANamespaceTopic) {
  EXPECT_EQ(sasToken("https://lab-ns.westeurope-1.eventgrid.azure.net/topics/lab-events",
                     system_clock::from_time_t(1767312309), kKeyBytes),
            "r=https%3A%2F%2Flab-ns.westeurope-1.eventgrid.azure.net%2Ftopics%2Flab-events"
            "&e=1%2F2%2F2026+12%3A05%3A09+AM"
            "&s=nu5tXBYvGK19%2FcA4ujdVSLAXHSRToVmofMORYIAMOJc%3D");
}

TEST(EventGridSasToken, ExpiryIsWrittenTheWayTheSdksWriteIt) {
  // en-US: month and day unpadded, 12-hour clock, midnight and noon as 12.
  EXPECT_EQ(sasExpiry(system_clock::from_time_t(1767312309)), "1/2/2026 12:05:09 AM");
  EXPECT_EQ(sasExpiry(system_clock::from_time_t(1783166400)), "7/4/2026 12:00:00 PM");
  EXPECT_EQ(sasExpiry(system_clock::from_time_t(1741944413)), "3/14/2025 9:26:53 AM");
  EXPECT_EQ(sasExpiry(system_clock::from_time_t(1741944413) + 12h), "3/14/2025 9:26:53 PM");
}

TEST(EventGridCachedToken, IsRenewedFiveMinutesBeforeItExpires) {
  const auto issued = system_clock::from_time_t(1741944413);
  const CachedToken token{"t", issued, issued + 1h};
  EXPECT_TRUE(token.usableAt(issued));
  EXPECT_TRUE(token.usableAt(issued + 54min + 59s));
  EXPECT_FALSE(token.usableAt(issued + 55min));
}

TEST(EventGridCachedToken, AShortLivedTokenIsRenewedAtHalfItsLifetime) {
  const auto issued = system_clock::from_time_t(1741944413);
  const CachedToken token{"t", issued, issued + 4min};
  EXPECT_TRUE(token.usableAt(issued + 1min + 59s));
  EXPECT_FALSE(token.usableAt(issued + 2min));
}

TEST(EventGridCachedToken, AnEmptyTokenIsNeverUsable) {
  EXPECT_FALSE(CachedToken{}.usableAt(system_clock::from_time_t(0)));
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
