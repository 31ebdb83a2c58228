/// The parse tree of an answer. Scalars, brackets and relations share one tree; `AnswerClassifier` turns
/// the top of it into the kinds of answer that compare differently (sets, tuples, intervals, …).
indirect enum MathExpr: Sendable, Equatable {
    case number(String)                 // literal as written (exact decimal)
    case variable(String)               // `x`, `x_1`
    case pi
    case infinity
    case negate(MathExpr)
    case add(MathExpr, MathExpr)
    case subtract(MathExpr, MathExpr)
    case multiply(MathExpr, MathExpr)
    case divide(MathExpr, MathExpr)
    case fraction(MathExpr, MathExpr)   // \frac{a}{b}; kept apart from `/` to read mixed numbers `2\frac12`
    case power(MathExpr, MathExpr)
    case factorial(MathExpr)
    case percent(MathExpr)
    case root(index: Int, MathExpr)     // \sqrt{x} is index 2
    case function(String, MathExpr)     // sin, cos, tan, ln, exp, …
    case logarithm(base: MathExpr?, MathExpr)
    case binomial(MathExpr, MathExpr)
    case absolute(MathExpr)
    /// `(a, b)`, `[a, b)`, … with the bracket characters as written; one item in matching round or square
    /// brackets is plain grouping and never reaches this case.
    case bracket(open: Character, close: Character, [MathExpr])
    case set([MathExpr])                // \{a, b\}
    case emptySet
    case reals                          // \mathbb{R}
    case union([MathExpr])
    /// `a op b op c …`, ops among `= < > <= >= != ∈ ≈`.
    case relation([MathExpr], [String])
    /// A comma-separated list with no brackets (top level only).
    case list([MathExpr])

    /// The free variables of a scalar expression.
    var variables: Set<String> {
        switch self {
        case .variable(let v): return [v]
        case .number, .pi, .infinity, .emptySet, .reals: return []
        case .negate(let a), .factorial(let a), .percent(let a), .root(_, let a), .function(_, let a),
             .absolute(let a):
            return a.variables
        case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b),
             .fraction(let a, let b), .power(let a, let b), .binomial(let a, let b):
            return a.variables.union(b.variables)
        case .logarithm(let b, let a): return a.variables.union(b?.variables ?? [])
        case .bracket(_, _, let xs), .set(let xs), .union(let xs), .relation(let xs, _), .list(let xs):
            return xs.reduce(into: Set<String>()) { $0.formUnion($1.variables) }
        }
    }

    var isInfinite: Bool {
        switch self {
        case .infinity: return true
        case .negate(let a): return a.isInfinite
        default: return false
        }
    }
}
