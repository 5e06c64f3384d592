#include "cesql/lexer.hpp"

#include <array>
#include <optional>
#include <utility>

#include "cesql/utf8.hpp"

namespace ccm::core::cesql {
namespace {

bool isWordCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string upper(std::string_view word) {
  std::string out(word);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

TokenKind keywordOr(std::string_view word, TokenKind otherwise) {
  static constexpr std::array<std::pair<std::string_view, TokenKind>, 9> kKeywords{{
      {"AND", TokenKind::And},
      {"OR", TokenKind::Or},
      {"XOR", TokenKind::Xor},
      {"NOT", TokenKind::Not},
      {"LIKE", TokenKind::Like},
      {"IN", TokenKind::In},
      {"EXISTS", TokenKind::Exists},
      {"TRUE", TokenKind::True},
      {"FALSE", TokenKind::False},
  }};
  const auto key = upper(word);
  for (const auto& [name, kind] : kKeywords) {
    if (key == name) return kind;
  }
  return otherwise;
}

// CESQLLexer.g4's string literals: the delimiting quote is escaped as \' (or
// \") or doubled; a backslash before any other character stays, so LIKE
// patterns keep their "\%" and "\_".
std::variant<std::string, ParseError> stringLiteral(std::string_view expression, std::size_t& at) {
  const char quote = expression[at];
  const std::size_t start = at++;
  std::string value;
  while (at < expression.size()) {
    const char c = expression[at];
    if (c == '\\' && at + 1 < expression.size()) {
      if (expression[at + 1] != quote) value += c;
      value += expression[at + 1];
      at += 2;
    } else if (c == quote) {
      if (at + 1 < expression.size() && expression[at + 1] == quote) {
        value += quote;
        at += 2;
      } else {
        ++at;
        return value;
      }
    } else {
      value += c;
      ++at;
    }
  }
  return ParseError{positionOf(expression, start), "string literal without its closing " + std::string(1, quote)};
}

std::optional<std::pair<TokenKind, std::size_t>> symbol(std::string_view rest) {
  static constexpr std::array<std::pair<std::string_view, TokenKind>, 15> kSymbols{{
      {"<>", TokenKind::NotEqual},
      {"!=", TokenKind::NotEqual},
      {"<=", TokenKind::LessOrEqual},
      {">=", TokenKind::GreaterOrEqual},
      {"<", TokenKind::Less},
      {">", TokenKind::Greater},
      {"=", TokenKind::Equal},
      {"(", TokenKind::LeftParen},
      {")", TokenKind::RightParen},
      {",", TokenKind::Comma},
      {"+", TokenKind::Plus},
      {"-", TokenKind::Minus},
      {"*", TokenKind::Star},
      {"/", TokenKind::Slash},
      {"%", TokenKind::Percent},
  }};
  for (const auto& [text, kind] : kSymbols) {
    if (rest.substr(0, text.size()) == text) return std::pair{kind, text.size()};
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::vector<Token>, ParseError> tokenize(std::string_view expression) {
  std::vector<Token> tokens;
  std::size_t at = 0;
  while (at < expression.size()) {
    const char c = expression[at];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++at;
    } else if (c == '\'' || c == '"') {
      const std::size_t start = at;
      auto value = stringLiteral(expression, at);
      if (auto* error = std::get_if<ParseError>(&value)) return std::move(*error);
      tokens.push_back({TokenKind::String, start, std::move(std::get<std::string>(value))});
    } else if (isWordCharacter(c)) {
      const std::size_t start = at;
      bool digits_only = true;
      for (; at < expression.size() && isWordCharacter(expression[at]); ++at) {
        digits_only = digits_only && isDigit(expression[at]);
      }
      std::string word(expression.substr(start, at - start));
      const auto kind = digits_only ? TokenKind::Integer : keywordOr(word, TokenKind::Word);
      tokens.push_back({kind, start, std::move(word)});
    } else if (auto found = symbol(expression.substr(at))) {
      tokens.push_back({found->first, at, std::string(expression.substr(at, found->second))});
      at += found->second;
    } else {
      const auto length = utf8::characterLength(expression, at);
      return ParseError{positionOf(expression, at),
                        "unexpected character '" + std::string(expression.substr(at, length)) + "'"};
    }
  }
  tokens.push_back({TokenKind::End, expression.size(), ""});
  return tokens;
}

const char* describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::End:
      return "the end of the expression";
    case TokenKind::Integer:
      return "an integer";
    case TokenKind::String:
      return "a string literal";
    case TokenKind::Word:
      return "a name";
    case TokenKind::LeftParen:
      return "'('";
    case TokenKind::RightParen:
      return "')'";
    case TokenKind::Comma:
      return "','";
    case TokenKind::Plus:
      return "'+'";
    case TokenKind::Minus:
      return "'-'";
    case TokenKind::Star:
      return "'*'";
    case TokenKind::Slash:
      return "'/'";
    case TokenKind::Percent:
      return "'%'";
    case TokenKind::Equal:
      return "'='";
    case TokenKind::NotEqual:
      return "'!='";
    case TokenKind::Less:
      return "'<'";
    case TokenKind::LessOrEqual:
      return "'<='";
    case TokenKind::Greater:
      return "'>'";
    case TokenKind::GreaterOrEqual:
      return "'>='";
    case TokenKind::And:
      return "AND";
    case TokenKind::Or:
      return "OR";
    case TokenKind::Xor:
      return "XOR";
    case TokenKind::Not:
      return "NOT";
    case TokenKind::Like:
      return "LIKE";
    case TokenKind::In:
      return "IN";
    case TokenKind::Exists:
      return "EXISTS";
    case TokenKind::True:
      return "TRUE";
    case TokenKind::False:
      return "FALSE";
  }
  return "a token";
}

}  // namespace ccm::core::cesql
