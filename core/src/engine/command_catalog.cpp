#include "engine/command_catalog.hpp"

#include "engine/session_transitions.hpp"

namespace ccm::core {
namespace {

using S = SessionState;

constexpr std::string_view kSessionOnly = R"({
  "type": "object", "additionalProperties": false, "required": ["session_id"],
  "properties": {"session_id": {"type": "string", "minLength": 1}}})";
constexpr std::string_view kRecordScore = R"({
  "type": "object", "additionalProperties": false, "required": ["session_id", "score", "passed"],
  "properties": {"session_id": {"type": "string", "minLength": 1}, "score": {"type": "number"},
                 "passed": {"type": "boolean"}, "report_id": {"type": "string"}}})";
constexpr std::string_view kFault = R"({
  "type": "object", "additionalProperties": false, "required": ["session_id", "reason"],
  "properties": {"session_id": {"type": "string", "minLength": 1}, "reason": {"type": "string", "minLength": 1}}})";

int order(SessionState state) {
  return static_cast<int>(state);
}

std::string quoted(SessionState state) {
  return "\"" + std::string(toString(state)) + "\"";
}

}  // namespace

const std::vector<CommandSpec>& commandSpecs() {
  // lds.session.ended may reach a session still ready when started was lost
  // or overtaken: ended implies started, so mark_running is caught up. A score
  // may overtake assessment.collection.completed: grading is caught up. A
  // grading failure after a score changes nothing (the score stands).
  static const std::vector<CommandSpec> specs = {
      {"session.mark_running", kSessionOnly, S::Running, S::Ready, S::Running},
      {"session.collect", kSessionOnly, S::Collecting, S::Ready, S::Collecting},
      {"session.grade", kSessionOnly, S::Grading, S::Collecting, S::Grading},
      {"session.record_score", kRecordScore, S::Graded, S::Collecting, S::Graded},
      {"session.fault", kFault, S::Stopping, S::Collecting, S::Graded},
  };
  return specs;
}

const CommandSpec* findCommand(std::string_view name) {
  for (const auto& spec : commandSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Expected<std::vector<SessionState>> planCommand(const CommandSpec& spec, const LabletSession& session) {
  std::vector<SessionState> path;
  if (!isLive(session.state) || order(session.state) >= order(spec.settled)) return path;
  if (order(session.state) < order(spec.earliest)) {
    return Error::conflict("session " + session.id + " is " + quoted(session.state) + "; " + std::string(spec.name) +
                             " applies from " + quoted(spec.earliest) +
                             " on (the event came early: send it again once the session got there)");
  }
  // Stopping is off the main line: a fault goes there directly.
  if (spec.target == S::Stopping) return std::vector<SessionState>{S::Stopping};
  for (int state = order(session.state) + 1; state <= order(spec.target); ++state) {
    path.push_back(static_cast<SessionState>(state));
  }
  return path;
}

CommandCatalog::CommandCatalog(Lifecycle& lifecycle) : lifecycle_(lifecycle) {
  for (const auto& spec : commandSpecs()) {
    auto schema = JsonSchema::compile(spec.arguments_schema, std::string(spec.name));
    if (!schema) throw std::logic_error(schema.error().message);  // a bug in the literal above
    schemas_.push_back(schema.value());
  }
}

std::optional<Error> CommandCatalog::apply(UnitOfWork& uow, const std::vector<sdk::Command>& commands,
                                             std::vector<SessionTransition>& made) const {
  for (const auto& command : commands) {
    const auto* spec = findCommand(command.name);
    if (spec == nullptr) {
      std::string known;
      for (const auto& s : commandSpecs()) known += (known.empty() ? "" : ", ") + std::string(s.name);
      return Error{ErrorCategory::Internal, "the source returned unknown command \"" + command.name + "\" (known: " + known + ")", {}};
    }
    rapidjson::Document arguments;
    arguments.Parse<rapidjson::kParseIterativeFlag>(command.arguments.c_str(), command.arguments.size());
    const auto& schema = *schemas_[static_cast<std::size_t>(spec - commandSpecs().data())];
    if (arguments.HasParseError()) {
      return Error{ErrorCategory::Internal, "the source returned command " + command.name + " with arguments that are not JSON", {}};
    }
    if (auto error = schema.validate(arguments)) {
      return Error{ErrorCategory::Internal, "the source returned command " + command.name + " with bad arguments: " + error->message,
                     error->where};
    }
    const std::string session_id = arguments["session_id"].GetString();
    auto session = lifecycle_.lockSession(uow, session_id);
    if (!session) {
      if (session.error().category == ErrorCategory::NotFound) {
        return Error::unprocessable("session " + session_id + " does not exist");
      }
      return session.error();
    }
    auto path = planCommand(*spec, session.value());
    if (!path) return path.error();
    for (const SessionState state : path.value()) {
      auto after = enter(uow, state, session_id, arguments);
      if (!after) return after.error();
      made.push_back({std::move(after.value()), state});
    }
  }
  return std::nullopt;
}

Expected<LabletSession> CommandCatalog::enter(UnitOfWork& uow, SessionState state,
                                              const std::string& session_id, const rapidjson::Value& arguments) const {
  switch (state) {
    case S::Running:
      return lifecycle_.markRunning(uow, session_id);
    case S::Collecting:
      return lifecycle_.startCollecting(uow, session_id);
    case S::Grading:
      return lifecycle_.startGrading(uow, session_id);
    case S::Graded: {
      auto report = arguments.FindMember("report_id");
      return lifecycle_.recordScore(uow, session_id, arguments["score"].GetDouble(), arguments["passed"].GetBool(),
                                    report != arguments.MemberEnd() ? report->value.GetString() : "");
    }
    case S::Stopping:
      return lifecycle_.failGrading(uow, session_id, arguments["reason"].GetString());
    default:
      // planCommand only walks the states above; anything else is a bug here.
      return Error{ErrorCategory::Internal, "no command enters state " + quoted(state), {}};
  }
}

}  // namespace ccm::core
