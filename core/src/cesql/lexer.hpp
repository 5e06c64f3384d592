#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cesql/parse_error.hpp"

namespace ccm::core::cesql {

enum class TokenKind {
  End,
  Integer,  // digits only; the parser applies a sign and checks the range
  String,   // text: the literal's value, quotes and escapes resolved
  Word,     // an identifier or a function name, as written
  LeftParen,
  RightParen,
  Comma,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Equal,
  NotEqual,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  And,
  Or,
  Xor,
  Not,
  Like,
  In,
  Exists,
  True,
  False,
};

struct Token {
  TokenKind kind;
  std::size_t offset;  // byte offset in the expression
  std::string text;
};

// Splits an expression into tokens (CESQL v1 2, CESQLLexer.g4). Keywords are
// case-insensitive; a word of digits alone is an integer, any other run of
// letters, digits and '_' a word. The last token is End.
std::variant<std::vector<Token>, ParseError> tokenize(std::string_view expression);

const char* describe(TokenKind kind);

}  // namespace ccm::core::cesql
