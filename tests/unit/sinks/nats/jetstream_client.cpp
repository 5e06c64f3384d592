#include "jetstream_client.hpp"

#include <nats/nats.h>

#include <stdexcept>

namespace ccm::testing {
namespace {

void check(natsStatus status, const std::string& what) {
  if (status == NATS_OK) return;
  const char* detail = nats_GetLastError(nullptr);
  throw std::runtime_error(what + ": " + natsStatus_GetText(status) +
                           (detail != nullptr ? std::string(": ") + detail : ""));
}

}  // namespace

JetStreamClient::JetStreamClient(const NatsServer& server) {
  natsOptions* options = nullptr;
  check(natsOptions_Create(&options), "natsOptions_Create");
  const auto& settings = server.options();
  natsStatus status = natsOptions_SetURL(options, server.url().c_str());
  if (status == NATS_OK && !settings.client_user.empty()) {
    status = natsOptions_SetUserInfo(options, settings.client_user.c_str(), settings.client_password.c_str());
  }
  if (status == NATS_OK && !settings.client_token.empty()) {
    status = natsOptions_SetToken(options, settings.client_token.c_str());
  }
  if (status == NATS_OK && settings.tls) {
    status = natsOptions_SetSecure(options, true);
    if (status == NATS_OK) status = natsOptions_LoadCATrustedCertificates(options, settings.tls->ca_file.c_str());
    if (status == NATS_OK && !settings.tls->client_cert_file.empty()) {
      status = natsOptions_LoadCertificatesChain(options, settings.tls->client_cert_file.c_str(),
                                                 settings.tls->client_key_file.c_str());
    }
  }
  if (status == NATS_OK) status = natsConnection_Connect(&nc_, options);
  natsOptions_Destroy(options);
  check(status, "the test client cannot connect to " + server.url());
  check(natsConnection_JetStream(&js_, nc_, nullptr), "natsConnection_JetStream");
}

JetStreamClient::~JetStreamClient() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
}

void JetStreamClient::addStream(const std::string& name, const std::vector<std::string>& subjects,
                                std::int32_t max_msg_size) {
  std::vector<const char*> names;
  for (const auto& subject : subjects) names.push_back(subject.c_str());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name.c_str();
  config.Subjects = names.data();
  config.SubjectsLen = static_cast<int>(names.size());
  config.MaxMsgSize = max_msg_size;
  config.Storage = js_FileStorage;
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  check(js_AddStream(&info, js_, &config, nullptr, &error), "js_AddStream " + name);
  jsStreamInfo_Destroy(info);
}

std::vector<StoredMessage> JetStreamClient::messages(const std::string& stream) {
  jsStreamInfo* info = nullptr;
  check(js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr), "js_GetStreamInfo " + stream);
  const std::uint64_t first = info->State.FirstSeq;
  const std::uint64_t count = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  std::vector<StoredMessage> stored;
  for (std::uint64_t seq = first; count > 0 && seq < first + count; ++seq) {
    natsMsg* msg = nullptr;
    check(js_GetMsg(&msg, js_, stream.c_str(), seq, nullptr, nullptr), "js_GetMsg " + stream);
    StoredMessage message;
    message.subject = natsMsg_GetSubject(msg);
    message.payload.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    const char** keys = nullptr;
    int key_count = 0;
    if (natsMsgHeader_Keys(msg, &keys, &key_count) == NATS_OK) {
      for (int i = 0; i < key_count; ++i) {
        const char* value = nullptr;
        natsMsgHeader_Get(msg, keys[i], &value);
        message.headers[keys[i]] = value != nullptr ? value : "";
      }
      free(keys);
    }
    natsMsg_Destroy(msg);
    stored.push_back(std::move(message));
  }
  return stored;
}

}  // namespace ccm::testing
