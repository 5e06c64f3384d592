#pragma once

#include <chrono>
#include <string>
#include <string_view>

// Event Grid shared access signatures, as Azure documents them ("Authenticate
// Azure Event Grid clients using access keys or shared access signatures")
// and its SDKs build them (EventGridSasBuilder, generate_sas). Pure functions.
namespace ccm::sinks::eventgrid {

// The expiry as the SDKs write it: en-US "M/d/yyyy h:mm:ss AM|PM", in UTC.
std::string sasExpiry(std::chrono::system_clock::time_point expiry);

// "r={resource}&e={expiry}&s={signature}", each value form-encoded; the
// signature is base64(HMAC-SHA256(key, "r={resource}&e={expiry}")) over the
// encoded text, keyed with the access key's base64-decoded bytes.
std::string sasToken(std::string_view resource, std::chrono::system_clock::time_point expiry,
                     std::string_view key_bytes);

}  // namespace ccm::sinks::eventgrid
