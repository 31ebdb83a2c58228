struct MathParseError: Error, Sendable { var message: String }

/// Recursive-descent parser for normalised answers.
///
/// Precedence, loosest first: top-level comma list; relations (`= < > <= >= != \in \approx`); `\cup`;
/// `+ -`; `* /` and implicit multiplication (`2\sqrt{2}`, `3x`, `2(1+x)`); unary minus; `^` (right
/// associative; `2^10` reads the whole number as the exponent, unlike TeX); postfix `!` and `%`.
/// `\frac12` takes one digit per argument, as TeX does; an integer directly followed by a proper
/// `\frac` of integers is a mixed number (`2\frac{1}{2}` = 5/2). Nesting deeper than the budget's
/// `maxDepth` is an error, not a stack overflow.
struct MathParser {
    private var tokens: [MathToken]
    private var pos = 0
    private var depth = 0
    private let budget: EvaluationBudget

    static let relationCommands: [String: String] = ["in": "∈", "approx": "≈", "equiv": "=", "sim": "≈"]
    static let functions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "ln", "exp",
                                         "arcsin", "arccos", "arctan"]

    static func parse(_ tokens: [MathToken], budget: EvaluationBudget) throws -> MathExpr {
        var p = MathParser(tokens: tokens, budget: budget)
        let items = try p.parseItems()
        guard p.pos == p.tokens.count else { throw MathParseError(message: "unexpected \(p.tokens[p.pos])") }
        guard !items.isEmpty else { throw MathParseError(message: "empty answer") }
        return items.count == 1 ? items[0] : .list(items)
    }

    private init(tokens: [MathToken], budget: EvaluationBudget) {
        self.tokens = tokens
        self.budget = budget
    }

    private var peek: MathToken? { pos < tokens.count ? tokens[pos] : nil }
    private mutating func next() -> MathToken? { defer { pos += 1 }; return peek }
    private func isSymbol(_ s: String) -> Bool { peek == .symbol(s) }
    private mutating func expect(_ s: String) throws {
        guard isSymbol(s) else { throw MathParseError(message: "expected '\(s)'") }
        pos += 1
    }

    private mutating func enter() throws {
        depth += 1
        try budget.tick()
        if depth > budget.maxDepth { throw MathParseError(message: "nesting deeper than \(budget.maxDepth)") }
    }

    /// Comma-separated relations, stopping before a closing bracket or the end.
    private mutating func parseItems() throws -> [MathExpr] {
        var items: [MathExpr] = []
        if peek == nil || [")", "]", "}", "\\}"].contains(where: { isSymbol($0) }) { return items }
        items.append(try parseRelation())
        while isSymbol(",") {
            pos += 1
            items.append(try parseRelation())
        }
        return items
    }

    private mutating func parseRelation() throws -> MathExpr {
        var operands = [try parseUnion()]
        var ops: [String] = []
        while let t = peek {
            var op: String?
            if case .symbol(let s) = t, ["=", "<", ">", "<=", ">=", "!="].contains(s) { op = s }
            if case .command(let c) = t, let r = MathParser.relationCommands[c] { op = r }
            guard let o = op else { break }
            pos += 1
            ops.append(o)
            operands.append(try parseUnion())
        }
        return ops.isEmpty ? operands[0] : .relation(operands, ops)
    }

    private mutating func parseUnion() throws -> MathExpr {
        var parts = [try parseSum()]
        while peek == .command("cup") {
            pos += 1
            parts.append(try parseSum())
        }
        return parts.count == 1 ? parts[0] : .union(parts)
    }

    private mutating func parseSum() throws -> MathExpr {
        var lhs = try parseTerm()
        while let t = peek {
            if t == .symbol("+") { pos += 1; lhs = .add(lhs, try parseTerm()) }
            else if t == .symbol("-") { pos += 1; lhs = .subtract(lhs, try parseTerm()) }
            else if t == .command("pm") || t == .command("mp") {
                throw MathParseError(message: "± is not a single value")
            } else { break }
        }
        return lhs
    }

    private func startsFactor(_ t: MathToken?) -> Bool {
        switch t {
        case .number, .letter: return true
        case .command(let c):
            return !["cup", "pm", "mp"].contains(c) && MathParser.relationCommands[c] == nil
        case .symbol(let s): return s == "(" || s == "{"
        case nil: return false
        }
    }

    private mutating func parseTerm() throws -> MathExpr {
        var lhs = try parseUnary()
        while true {
            if isSymbol("*") { pos += 1; lhs = .multiply(lhs, try parseUnary()) }
            else if isSymbol("/") { pos += 1; lhs = .divide(lhs, try parseUnary()) }
            else if startsFactor(peek) {
                let rhs = try parseUnary()
                lhs = MathParser.mixedNumber(lhs, rhs) ?? .multiply(lhs, rhs)
            } else { break }
        }
        return lhs
    }

    /// `2\frac{1}{2}` → 2 + 1/2 (sign applies to the whole): an integer literal then a proper fraction.
    static func mixedNumber(_ whole: MathExpr, _ frac: MathExpr) -> MathExpr? {
        guard case .fraction(.number(let n), .number(let d)) = frac,
              let nv = Int(n), let dv = Int(d), nv < dv else { return nil }
        switch whole {
        case .number(let w) where Int(w) != nil: return .add(whole, frac)
        case .negate(.number(let w)) where Int(w) != nil: return .negate(.add(.number(w), frac))
        default: return nil
        }
    }

    private mutating func parseUnary() throws -> MathExpr {
        try enter()
        defer { depth -= 1 }
        if isSymbol("-") { pos += 1; return .negate(try parseUnary()) }
        if isSymbol("+") { pos += 1; return try parseUnary() }
        return try parsePower()
    }

    private mutating func parsePower() throws -> MathExpr {
        let base = try parsePostfix()
        guard isSymbol("^") else { return base }
        pos += 1
        return .power(base, try parseExponent())
    }

    /// `{…}`, a signed atom, and a further `^` (right associative).
    private mutating func parseExponent() throws -> MathExpr {
        try enter()
        defer { depth -= 1 }
        var e: MathExpr
        if isSymbol("-") { pos += 1; e = .negate(try parseExponent()); return e }
        if isSymbol("+") { pos += 1; return try parseExponent() }
        e = try parsePostfix()
        if isSymbol("^") { pos += 1; e = .power(e, try parseExponent()) }
        return e
    }

    private mutating func parsePostfix() throws -> MathExpr {
        var e = try parsePrimary()
        while true {
            if isSymbol("!") { pos += 1; e = .factorial(e) }
            else if isSymbol("%") { pos += 1; e = .percent(e) }
            else { return e }
        }
    }

    private mutating func parsePrimary() throws -> MathExpr {
        try enter()
        defer { depth -= 1 }
        guard let t = next() else { throw MathParseError(message: "unexpected end") }
        switch t {
        case .number(let n): return .number(n)
        case .letter(let ch): return .variable(String(ch) + (try parseSubscript()))
        case .symbol("("), .symbol("["): return try parseBracket(open: t == .symbol("(") ? "(" : "[")
        case .symbol("{"):
            let items = try parseItems()
            try expect("}")
            if items.count == 1 { return items[0] }
            return items.isEmpty ? .emptySet : .set(items)
        case .symbol("\\{"):
            let items = try parseItems()
            try expect("\\}")
            return items.isEmpty ? .emptySet : .set(items)
        case .symbol("|"):
            let inner = try parseSum()
            try expect("|")
            return .absolute(inner)
        case .command(let c): return try parseCommand(c)
        default: throw MathParseError(message: "unexpected \(t)")
        }
    }

    private mutating func parseSubscript() throws -> String {
        guard isSymbol("_") else { return "" }
        pos += 1
        if isSymbol("{") {
            pos += 1
            var s = "_"
            while let t = peek, t != .symbol("}") {
                pos += 1
                switch t {
                case .number(let n): s += n
                case .letter(let l): s.append(l)
                default: throw MathParseError(message: "unsupported subscript")
                }
            }
            try expect("}")
            return s
        }
        switch peek {
        case .number(let n):
            if n.count > 1 && n.allSatisfy({ $0.isNumber }) {    // TeX: x_12 is x_1 then 2
                tokens[pos] = .number(String(n.dropFirst()))
                return "_" + String(n.prefix(1))
            }
            pos += 1
            return "_" + n
        case .letter(let l): pos += 1; return "_" + String(l)
        default: throw MathParseError(message: "unsupported subscript")
        }
    }

    private mutating func parseBracket(open: Character) throws -> MathExpr {
        let items = try parseItems()
        guard let close = next(), close == .symbol(")") || close == .symbol("]") else {
            throw MathParseError(message: "unclosed bracket")
        }
        let closeChar: Character = close == .symbol(")") ? ")" : "]"
        if items.count == 1 && ((open == "(" && closeChar == ")") || (open == "[" && closeChar == "]")) {
            return items[0]
        }
        guard !items.isEmpty else { throw MathParseError(message: "empty brackets") }
        return .bracket(open: open, close: closeChar, items)
    }

    /// A TeX macro argument: `{…}`, one digit of a number (`\frac12`), a letter, or a command; also a
    /// parenthesised group, as plain text writes it (`sqrt(2)`).
    private mutating func parseArgument() throws -> MathExpr {
        try enter()
        defer { depth -= 1 }
        guard let t = peek else { throw MathParseError(message: "missing argument") }
        switch t {
        case .symbol("("):
            pos += 1
            return try parseBracket(open: "(")
        case .symbol("{"):
            pos += 1
            let items = try parseItems()
            try expect("}")
            guard items.count == 1 else { throw MathParseError(message: "argument is not one expression") }
            return items[0]
        case .number(let n):
            if n.count > 1 && n.allSatisfy({ $0.isNumber }) {
                tokens[pos] = .number(String(n.dropFirst()))
                return .number(String(n.prefix(1)))
            }
            pos += 1
            return .number(n)
        case .letter(let l): pos += 1; return .variable(String(l))
        case .command(let c): pos += 1; return try parseCommand(c)
        default: throw MathParseError(message: "unsupported argument \(t)")
        }
    }

    private mutating func parseCommand(_ c: String) throws -> MathExpr {
        switch c {
        case "frac": let a = try parseArgument(); return .fraction(a, try parseArgument())
        case "binom", "dbinom", "tbinom", "choose": let a = try parseArgument(); return .binomial(a, try parseArgument())
        case "sqrt":
            var index = 2
            if isSymbol("[") {
                pos += 1
                guard case .number(let n) = next(), let k = Int(n), (1...64).contains(k) else {
                    throw MathParseError(message: "root index must be an integer 1...64")
                }
                try expect("]")
                index = k
            }
            return .root(index: index, try parseArgument())
        case "pi": return .pi
        case "infty", "inf", "infinity": return .infinity
        case "emptyset": return .emptySet
        case "mathbb":
            guard isSymbol("{") else { throw MathParseError(message: "\\mathbb needs a group") }
            pos += 1
            guard next() == .letter("R") else { throw MathParseError(message: "only \\mathbb{R} is supported") }
            try expect("}")
            return .reals
        case "log", "lg":
            var base: MathExpr?
            if isSymbol("_") { pos += 1; base = try parseArgument() }
            return .logarithm(base: base, try parseFunctionArgument())
        default:
            if MathParser.functions.contains(c) { return .function(c, try parseFunctionArgument()) }
            throw MathParseError(message: "unsupported command \\\(c)")
        }
    }

    /// `\sin(x)`, `\sin{x}`, or `\sin x` (a power-level operand).
    private mutating func parseFunctionArgument() throws -> MathExpr {
        if isSymbol("(") || isSymbol("{") { return try parsePrimary() }
        return try parsePower()
    }
}
