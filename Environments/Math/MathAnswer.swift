/// One end-to-end interval; an infinite end is always open.
struct Interval: Sendable, Equatable {
    var lower: MathExpr
    var lowerClosed: Bool
    var upper: MathExpr
    var upperClosed: Bool
}

/// The kinds of answer that compare by different rules (see `AnswerEquivalence`).
indirect enum MathAnswer: Sendable, Equatable {
    case text(String)
    case scalar(MathExpr)
    /// A tuple, vector or point: order matters; the bracket characters are kept (`(1,2)` vs `[1,2]`).
    case ordered(open: Character, close: Character, [MathAnswer])
    /// `\{…\}` (bare: false) or a comma list without brackets (bare: true): order does not matter.
    case unordered([MathAnswer], bare: Bool)
    /// Interval notation, possibly a `\cup` union.
    case intervals([Interval])
    /// An inequality in one variable (`x > 3`, `1 < x \le 2`, `x<1 or x>2`), as the set it describes.
    case inequality([Interval])
    /// `a = 2, b = 3`: values by variable name, in the order written.
    case labeled([String], [MathAnswer])
    /// Any other relation (`x + y = 5`), compared side by side.
    case relation([MathExpr], [String])
}

/// Turns a parse tree into a `MathAnswer`.
///
/// - `ident = value`, `f(x) = value`, `ident \approx value` and `ident \in S` keep only the right side, so
///   `x = 5` is `5`; `x \ne c` is the union of the two open rays.
/// - A two-item bracket is an interval when its ends are mixed (`[1,2)`) or an end is infinite; otherwise it
///   stays an ordered pair that can still match an interval or inequality of the same ends and brackets.
/// - `a < x`, `x >= b`, `a < x \le b` (any one variable) become intervals; a list of inequalities is their union.
/// - `a = 2, b = 3` (distinct names) stays labelled; `x = 1, x = 2` is the list of values {1, 2}.
enum AnswerClassifier {
    struct Unsupported: Error {}

    static func classify(_ e: MathExpr) throws -> MathAnswer {
        switch e {
        case .list(let items):
            let parts = try items.map(classify)
            let unions = parts.compactMap { p -> [Interval]? in
                if case .inequality(let iv) = p { return iv }
                return nil
            }
            if !parts.isEmpty && unions.count == parts.count { return .inequality(unions.flatMap { $0 }) }
            if let labeled = try assignments(items) { return labeled }
            return .unordered(parts, bare: true)
        case .set(let items): return .unordered(try items.map(classify), bare: false)   // deduplicated when compared
        case .emptySet: return .unordered([], bare: false)
        case .reals:
            return .intervals([Interval(lower: .negate(.infinity), lowerClosed: false, upper: .infinity, upperClosed: false)])
        case .union(let parts):
            return .intervals(try parts.map { p in
                if case .intervals(let iv) = try classify(p), iv.count == 1 { return iv[0] }
                if case .ordered(let o, let c, let xs) = try classify(p), let iv = interval(o, c, xs) { return iv }
                throw Unsupported()
            })
        case .bracket(let open, let close, let items):
            let mixedEnds = (open == "(") != (close == ")")
            if items.count == 2 && (mixedEnds || items.contains(where: \.isInfinite)) {
                return .intervals([Interval(lower: items[0], lowerClosed: open == "[",
                                            upper: items[1], upperClosed: close == "]")])
            }
            return .ordered(open: open, close: close, try items.map(classify))
        case .relation(let operands, let ops):
            return try relation(operands, ops)
        default:
            return .scalar(e)
        }
    }

    static func interval(_ open: Character, _ close: Character, _ items: [MathAnswer]) -> Interval? {
        guard items.count == 2, case .scalar(let a) = items[0], case .scalar(let b) = items[1] else { return nil }
        return Interval(lower: a, lowerClosed: open == "[", upper: b, upperClosed: close == "]")
    }

    private static func isVariable(_ e: MathExpr) -> Bool {
        if case .variable = e { return true }
        return false
    }

    /// `a = 2, b = 3` with distinct single-variable left sides keeps the names; repeated names
    /// (`x = 1, x = 2`, a list of solutions) do not.
    private static func assignments(_ items: [MathExpr]) throws -> MathAnswer? {
        var pairs: [(String, MathAnswer)] = []
        for item in items {
            guard case .relation(let xs, let ops) = item, ops == ["="], case .variable(let name) = xs[0] else { return nil }
            pairs.append((name, try classify(xs[1])))
        }
        guard pairs.count >= 2, Set(pairs.map(\.0)).count == pairs.count else { return nil }
        return .labeled(pairs.map(\.0), pairs.map(\.1))
    }

    /// `f(x)`, `g(2)`, `P(A)`: a letter applied to one letter or number (parsed as an implicit product).
    private static func isFunctionNotation(_ e: MathExpr) -> Bool {
        guard case .multiply(.variable(let f), let arg) = e, f.count == 1 else { return false }
        switch arg {
        case .variable, .number: return true
        default: return false
        }
    }

    private static func relation(_ xs: [MathExpr], _ ops: [String]) throws -> MathAnswer {
        if ops.count == 1 && ["=", "≈", "∈"].contains(ops[0]) {
            if isVariable(xs[0]) || (ops[0] == "=" && isFunctionNotation(xs[0])) { return try classify(xs[1]) }
            if ops[0] != "∈" && isVariable(xs[1]) && !isVariable(xs[0]) { return try classify(xs[0]) }
        }
        // x ≠ c is everything but c.
        if ops == ["!="], isVariable(xs[0]) != isVariable(xs[1]) {
            let c = isVariable(xs[0]) ? xs[1] : xs[0]
            return .inequality([Interval(lower: .negate(.infinity), lowerClosed: false, upper: c, upperClosed: false),
                                Interval(lower: c, lowerClosed: false, upper: .infinity, upperClosed: false)])
        }
        let bounds = ["<", ">", "<=", ">="]
        if ops.allSatisfy(bounds.contains), let v = xs.firstIndex(where: isVariable),
           xs.enumerated().allSatisfy({ $0.offset == v || !isVariable($0.element) }),
           ops.count == 1 || (ops.count == 2 && v == 1) {
            let neg = MathExpr.negate(.infinity)
            var lower: (MathExpr, Bool) = (neg, false), upper: (MathExpr, Bool) = (.infinity, false)
            var consistent = true
            // Each op relates xs[i] and xs[i+1]; read it as a bound on the variable when it touches it.
            for (i, op) in ops.enumerated() where i == v || i + 1 == v {
                let strict = op == "<" || op == ">"
                let lessThan = op == "<" || op == "<="          // xs[i] < xs[i+1]
                if i + 1 == v {                                   // c op x
                    if lessThan { lower = (xs[i], !strict) } else { upper = (xs[i], !strict) }
                } else {                                          // x op c
                    if lessThan { upper = (xs[i + 1], !strict) } else { lower = (xs[i + 1], !strict) }
                }
            }
            if ops.count == 2 && (ops[0].first == "<") != (ops[1].first == "<") { consistent = false }
            if ops.count <= 2 && consistent {
                return .inequality([Interval(lower: lower.0, lowerClosed: lower.1, upper: upper.0, upperClosed: upper.1)])
            }
        }
        return .relation(xs, ops)
    }
}
