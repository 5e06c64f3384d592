#include "cesql/parser.hpp"

#include <charconv>
#include <limits>
#include <optional>

#include "cesql/functions.hpp"
#include "cesql/lexer.hpp"

namespace ccm::core::cesql {
namespace {

// Binding powers of the infix and postfix operators (3.6); a higher one binds tighter.
constexpr int kLogic = 10;
constexpr int kComparison = 20;
constexpr int kAdditive = 30;
constexpr int kMultiplicative = 40;
constexpr int kIn = 50;
constexpr int kLike = 60;

std::optional<Operator> binaryOperator(TokenKind kind) {
  switch (kind) {
    case TokenKind::Plus:
      return Operator::Add;
    case TokenKind::Minus:
      return Operator::Subtract;
    case TokenKind::Star:
      return Operator::Multiply;
    case TokenKind::Slash:
      return Operator::Divide;
    case TokenKind::Percent:
      return Operator::Modulo;
    case TokenKind::Equal:
      return Operator::Equal;
    case TokenKind::NotEqual:
      return Operator::NotEqual;
    case TokenKind::Less:
      return Operator::Less;
    case TokenKind::LessOrEqual:
      return Operator::LessOrEqual;
    case TokenKind::Greater:
      return Operator::Greater;
    case TokenKind::GreaterOrEqual:
      return Operator::GreaterOrEqual;
    case TokenKind::And:
      return Operator::And;
    case TokenKind::Or:
      return Operator::Or;
    case TokenKind::Xor:
      return Operator::Xor;
    default:
      return std::nullopt;
  }
}

int bindingPower(Operator op) {
  switch (op) {
    case Operator::Multiply:
    case Operator::Divide:
    case Operator::Modulo:
      return kMultiplicative;
    case Operator::Add:
    case Operator::Subtract:
      return kAdditive;
    case Operator::And:
    case Operator::Or:
    case Operator::Xor:
      return kLogic;
    default:
      return kComparison;
  }
}

bool isLetters(std::string_view word, bool underscore) {
  for (const char c : word) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && !(underscore && c == '_')) return false;
  }
  return !word.empty();
}

bool isIdentifier(std::string_view word) {
  for (const char c : word) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return !word.empty();
}

std::string caseFolded(std::string_view word, bool to_upper) {
  std::string out(word);
  for (auto& c : out) {
    if (to_upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!to_upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Recursive descent with precedence climbing. A refusal is kept in error_
// (the first one only) and every parse function then returns nullptr, which
// its callers pass on: parse errors are values, not exceptions.
class Parser {
public:
  Parser(std::string_view expression, std::vector<Token> tokens)
      : tokens_(std::move(tokens)), positions_(expression.size() + 1) {
    // Character positions of every byte offset, once, rather than a count per node.
    std::size_t position = 1;
    for (std::size_t offset = 0; offset < expression.size(); ++offset) {
      positions_[offset] = position;
      if ((static_cast<unsigned char>(expression[offset]) & 0xC0) != 0x80) ++position;
    }
    positions_[expression.size()] = position;
  }

  std::variant<std::unique_ptr<Node>, ParseError> parseWhole() {
    auto root = parseBinary(0);
    if (!root && !error_) fail(peek(), "expected a value");  // every refusal sets error_; this only keeps it so
    if (root && peek().kind != TokenKind::End) {
      fail(peek(), std::string("expected the end of the expression, found ") + describe(peek().kind));
    }
    if (error_) return std::move(*error_);
    return root;
  }

private:
  // The parser recurses once per nesting level of the expression; this
  // bounds the recursion before the tree's height is known.
  class Nesting {
  public:
    explicit Nesting(Parser& parser) : parser_(parser) { ++parser_.nesting_; }
    ~Nesting() { --parser_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

    bool tooDeep() const {
      if (parser_.nesting_ <= kMaxExpressionHeight) return false;
      parser_.fail(parser_.peek(), "expression nested deeper than " + std::to_string(kMaxExpressionHeight) + " levels");
      return true;
    }

  private:
    Parser& parser_;
  };

  const Token& peek(std::size_t ahead = 0) const { return tokens_[std::min(next_ + ahead, tokens_.size() - 1)]; }
  const Token& take() { return tokens_[std::min(next_++, tokens_.size() - 1)]; }

  // Keeps the first refusal; returns nullptr for the caller to pass on.
  std::nullptr_t fail(const Token& at, std::string message) {
    if (!error_) error_ = ParseError{positionOf(at), std::move(message)};
    return nullptr;
  }

  const Token* expect(TokenKind kind, const std::string& context) {
    if (peek().kind != kind) {
      fail(peek(), std::string("expected ") + describe(kind) + " " + context + ", found " + describe(peek().kind));
      return nullptr;
    }
    return &take();
  }

  std::unique_ptr<Node> node(NodeKind kind, const Token& at, Type type) {
    auto made = std::make_unique<Node>();
    made->kind = kind;
    made->position = positionOf(at);
    made->type = type;
    return made;
  }

  // Adds an operand, keeping the height, so a long left-leaning chain
  // ("1 + 1 + 1 ...", parsed without recursion) is bounded too. False when
  // the operand failed to parse or the tree grew too high.
  bool adopt(Node& parent, std::unique_ptr<Node> child, const Token& at) {
    if (!child) return false;
    parent.height = std::max(parent.height, child->height + 1);
    if (parent.height > kMaxExpressionHeight) {
      fail(at, "expression nested deeper than " + std::to_string(kMaxExpressionHeight) + " levels");
      return false;
    }
    parent.operands.push_back(std::move(child));
    return true;
  }

  std::unique_ptr<Node> parseBinary(int min_power) {
    auto left = parseUnary();
    while (left) {
      const Token& token = peek();
      const bool negated = token.kind == TokenKind::Not;
      const TokenKind postfix = negated ? peek(1).kind : token.kind;
      if (postfix == TokenKind::Like && kLike >= min_power) {
        left = parseLike(std::move(left), negated);
        continue;
      }
      if (postfix == TokenKind::In && kIn >= min_power) {
        left = parseIn(std::move(left), negated);
        continue;
      }
      const auto op = binaryOperator(token.kind);
      if (!op || bindingPower(*op) < min_power) return left;
      if (bindingPower(*op) == kLogic) {
        left = parseLogicChain(std::move(left));
        continue;
      }
      take();
      const bool arithmetic = bindingPower(*op) != kComparison;
      auto combined = node(arithmetic ? NodeKind::Arithmetic : NodeKind::Comparison, token,
                           arithmetic ? Type::Integer : Type::Boolean);
      combined->op = *op;
      combined->position = left->position;
      if (!adopt(*combined, std::move(left), token)) return nullptr;
      if (!adopt(*combined, parseBinary(bindingPower(*op) + 1), token)) return nullptr;
      left = std::move(combined);
    }
    return nullptr;
  }

  // AND, OR and XOR share one level and group to the right; the chain is kept
  // flat (one node, its operators in order) so that a long list of
  // alternatives costs no nesting, and the evaluator applies the grouping.
  std::unique_ptr<Node> parseLogicChain(std::unique_ptr<Node> first) {
    const Token& start = peek();
    auto chain = node(NodeKind::Logic, start, Type::Boolean);
    chain->position = first->position;
    if (!adopt(*chain, std::move(first), start)) return nullptr;
    while (auto op = binaryOperator(peek().kind)) {
      if (bindingPower(*op) != kLogic) break;
      const Token& token = take();
      chain->logic.push_back(*op);
      chain->logic_positions.push_back(positionOf(token));
      if (!adopt(*chain, parseBinary(kLogic + 1), token)) return nullptr;
    }
    return chain;
  }

  // 3.4.3: the pattern must be a string literal, not an expression.
  std::unique_ptr<Node> parseLike(std::unique_ptr<Node> value, bool negated) {
    if (negated) take();
    const Token& like = take();
    const Token* pattern = expect(TokenKind::String, "after LIKE (its pattern must be a string literal)");
    if (!pattern) return nullptr;
    auto made = node(NodeKind::Like, like, Type::Boolean);
    made->position = value->position;
    made->negated = negated;
    made->pattern = LikePattern(pattern->text);
    if (!adopt(*made, std::move(value), like)) return nullptr;
    return made;
  }

  std::unique_ptr<Node> parseIn(std::unique_ptr<Node> value, bool negated) {
    if (negated) take();
    const Token& in = take();
    if (!expect(TokenKind::LeftParen, "after IN")) return nullptr;
    auto made = node(NodeKind::In, in, Type::Boolean);
    made->position = value->position;
    made->negated = negated;
    if (!adopt(*made, std::move(value), in)) return nullptr;
    do {
      if (!adopt(*made, parseBinary(0), in)) return nullptr;
    } while (peek().kind == TokenKind::Comma && (take(), true));
    if (!expect(TokenKind::RightParen, "to close the IN set")) return nullptr;
    return made;
  }

  std::unique_ptr<Node> parseUnary() {
    Nesting nesting(*this);
    if (nesting.tooDeep()) return nullptr;
    const Token& token = peek();
    if (token.kind == TokenKind::Not) {
      take();
      auto made = node(NodeKind::Not, token, Type::Boolean);
      if (!adopt(*made, parseUnary(), token)) return nullptr;
      return made;
    }
    // CESQLLexer.g4 reads a sign right before digits as part of an integer
    // literal, which is how -2147483648 is a valid literal.
    if ((token.kind == TokenKind::Minus || token.kind == TokenKind::Plus) && peek(1).kind == TokenKind::Integer) {
      take();
      return integerLiteral(take(), token);
    }
    if (token.kind == TokenKind::Minus) {
      take();
      auto made = node(NodeKind::Negate, token, Type::Integer);
      if (!adopt(*made, parseUnary(), token)) return nullptr;
      return made;
    }
    return parsePrimary();
  }

  std::unique_ptr<Node> integerLiteral(const Token& digits, const Token& start) {
    const bool negative = start.kind == TokenKind::Minus;
    std::int64_t magnitude = 0;
    const auto [end, error] = std::from_chars(digits.text.data(), digits.text.data() + digits.text.size(), magnitude);
    const std::int64_t value = negative ? -magnitude : magnitude;
    if (error != std::errc() || end != digits.text.data() + digits.text.size() ||
        value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
      return fail(start, "integer literal " + std::string(negative ? "-" : "") + digits.text +
                             " outside the 32-bit range (-2147483648 to 2147483647)");
    }
    auto made = node(NodeKind::Literal, start, Type::Integer);
    made->literal = static_cast<std::int32_t>(value);
    return made;
  }

  std::unique_ptr<Node> parsePrimary() {
    const Token& token = take();
    switch (token.kind) {
      case TokenKind::Integer:
        return integerLiteral(token, token);
      case TokenKind::String: {
        auto made = node(NodeKind::Literal, token, Type::String);
        made->literal = token.text;
        return made;
      }
      case TokenKind::True:
      case TokenKind::False: {
        auto made = node(NodeKind::Literal, token, Type::Boolean);
        made->literal = token.kind == TokenKind::True;
        return made;
      }
      case TokenKind::LeftParen: {
        auto inner = parseBinary(0);
        if (!inner) return nullptr;
        if (!expect(TokenKind::RightParen, "to close the '(' at position " + std::to_string(positionOf(token)))) {
          return nullptr;
        }
        return inner;
      }
      case TokenKind::Exists: {
        const Token* name = expect(TokenKind::Word, "after EXISTS");
        if (!name) return nullptr;
        if (!isIdentifier(name->text)) {
          return fail(*name, "attribute names are letters and digits, not \"" + name->text + "\"");
        }
        auto made = node(NodeKind::Exists, token, Type::Boolean);
        made->name = caseFolded(name->text, false);
        return made;
      }
      case TokenKind::Word:
        return peek().kind == TokenKind::LeftParen ? parseCall(token) : attribute(token);
      default:
        return fail(token, std::string("expected a value, found ") + describe(token.kind));
    }
  }

  // Attribute names are case-insensitive (the TCK's "EXISTS SOURCE"); the
  // CloudEvents spec allows lower case only, so folding loses nothing.
  std::unique_ptr<Node> attribute(const Token& token) {
    if (!isIdentifier(token.text)) {
      return fail(token, "attribute names are letters and digits, not \"" + token.text + "\"");
    }
    auto made = node(NodeKind::Attribute, token, Type::Any);
    made->name = caseFolded(token.text, false);
    return made;
  }

  std::unique_ptr<Node> parseCall(const Token& name) {
    if (!isLetters(name.text, true) || name.text.front() == '_') {
      return fail(name, "function names are letters and '_', not \"" + name.text + "\"");
    }
    take();
    auto made = node(NodeKind::Call, name, Type::Boolean);
    made->name = caseFolded(name.text, true);
    if (peek().kind != TokenKind::RightParen) {
      do {
        if (!adopt(*made, parseBinary(0), name)) return nullptr;
      } while (peek().kind == TokenKind::Comma && (take(), true));
    }
    if (!expect(TokenKind::RightParen, "to close the arguments of " + made->name)) return nullptr;
    made->function = findFunction(made->name, made->operands.size());
    if (made->function != nullptr) made->type = made->function->result;
    return made;
  }

  std::size_t positionOf(const Token& token) const { return positions_[token.offset]; }

  std::vector<Token> tokens_;
  std::vector<std::size_t> positions_;
  std::size_t next_ = 0;
  std::size_t nesting_ = 0;
  std::optional<ParseError> error_;
};

}  // namespace

std::variant<std::unique_ptr<Node>, ParseError> parseExpression(std::string_view expression) {
  if (expression.size() > kMaxExpressionBytes) {
    return ParseError{positionOf(expression, kMaxExpressionBytes),
                      "expression longer than " + std::to_string(kMaxExpressionBytes) + " bytes"};
  }
  auto tokens = tokenize(expression);
  if (auto* error = std::get_if<ParseError>(&tokens)) return std::move(*error);
  Parser parser(expression, std::move(std::get<std::vector<Token>>(tokens)));
  return parser.parseWhole();
}

}  // namespace ccm::core::cesql
