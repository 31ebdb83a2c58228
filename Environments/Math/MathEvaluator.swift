import Foundation

enum MathEvalError: Error, Sendable, Equatable {
    case notScalar           // a set, tuple, interval, relation or ∞ where a number was needed
    case unbound(String)     // a free variable with no value
    case undefined           // division by zero, even root of a negative, 0^-1, …
    case nonFinite           // overflowed to ±∞ or NaN in the numeric fallback
}

/// Evaluates scalar expressions to `MathNumber`s, exactly where `MathNumber` can, with every node charged to
/// an `EvaluationBudget`. Factorials above 20 and binomials that leave 64 bits go numeric (`lgamma`); values
/// beyond `Double` are `nonFinite`, so `9^{9^{9}}` or `(10^{10})!` end as "cannot compare numerically".
struct MathEvaluator {
    let variables: [String: MathNumber]
    let budget: EvaluationBudget

    func evaluate(_ e: MathExpr) throws -> MathNumber {
        try budget.tick()
        let v = try value(e)
        if case .approx(let d, _) = v, !d.isFinite { throw MathEvalError.nonFinite }
        return v
    }

    private func value(_ e: MathExpr) throws -> MathNumber {
        switch e {
        case .number(let text): return try MathEvaluator.literal(text)
        case .variable(let name):
            guard let v = variables[name] else { throw MathEvalError.unbound(name) }
            return v
        case .pi: return .pi
        case .negate(let a): return -(try evaluate(a))
        case .add(let a, let b): return try evaluate(a) + evaluate(b)
        case .subtract(let a, let b): return try evaluate(a) - evaluate(b)
        case .multiply(let a, let b): return try evaluate(a) * evaluate(b)
        case .divide(let a, let b), .fraction(let a, let b):
            guard let q = try evaluate(a) / evaluate(b) else { throw MathEvalError.undefined }
            return q
        case .power(let a, let b):
            let base = try evaluate(a), exponent = try evaluate(b)
            guard let p = base.power(exponent) else { throw MathEvalError.undefined }
            // Underflow to 0 of a non-zero base (10^{-10^{10}}) is not zero: it is beyond Double.
            if case .approx(let d, _) = p, d == 0, !base.isZero { throw MathEvalError.nonFinite }
            return p
        case .percent(let a):
            guard let q = try evaluate(a) / .integer(100) else { throw MathEvalError.undefined }
            return q
        case .root(let k, let a):
            guard let r = try evaluate(a).root(k) else { throw MathEvalError.undefined }
            return r
        case .absolute(let a):
            let v = try evaluate(a)
            return v.doubleValue < 0 ? -v : v
        case .factorial(let a): return try factorial(evaluate(a))
        case .binomial(let a, let b): return try binomial(evaluate(a), evaluate(b))
        case .function(let name, let a): return try function(name, evaluate(a))
        case .logarithm(let base, let a):
            let x = try evaluate(a).doubleValue
            let b = try base.map { try evaluate($0).doubleValue } ?? 10
            guard x > 0, b > 0, b != 1 else { throw MathEvalError.undefined }
            if x == 1 { return .integer(0) }
            return .approx(log(x) / log(b), mayBeRational: true)
        case .infinity, .bracket, .set, .emptySet, .reals, .union, .relation, .list:
            throw MathEvalError.notScalar
        }
    }

    /// `12`, `1.25`, `3e-4`, `1.5e10` → exact rational when it fits 64 bits.
    static func literal(_ text: String) throws -> MathNumber {
        var mantissa = Substring(text), exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            // |exponent| ≥ 10^6 is beyond Double either way; the bound also keeps the arithmetic below in range.
            guard let x = Int(text[text.index(after: e)...]), x > -1_000_000, x < 1_000_000 else {
                throw MathEvalError.nonFinite
            }
            exponent = x
        }
        var digits = String(mantissa)
        if let dot = digits.firstIndex(of: ".") {
            exponent -= digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        while digits.count > 1 && digits.first == "0" { digits.removeFirst() }
        if let n = Int(digits), abs(exponent) <= 40,
           let scale = Rational(10).power(abs(exponent)),
           let v = exponent >= 0 ? Rational(n).multiplied(by: scale) : Rational(n).divided(by: scale) {
            return .rational(v)
        }
        guard let d = Double(text), d.isFinite, d != 0 || digits.allSatisfy({ $0 == "0" }) else {
            throw MathEvalError.nonFinite
        }
        return .approx(d, mayBeRational: true)
    }

    private func factorial(_ x: MathNumber) throws -> MathNumber {
        guard let r = x.rationalValue, r.isInteger, r.num >= 0 else { throw MathEvalError.undefined }
        if r.num > 170 { throw MathEvalError.nonFinite }
        try budget.tick(r.num)
        var exact = Rational.one
        for k in stride(from: 2, through: r.num, by: 1) {
            guard let p = exact.multiplied(by: Rational(k)) else {
                return .approx(exp(lgamma(Double(r.num) + 1)), mayBeRational: true)
            }
            exact = p
        }
        return .rational(exact)
    }

    private func binomial(_ n: MathNumber, _ k: MathNumber) throws -> MathNumber {
        guard let nr = n.rationalValue, let kr = k.rationalValue, nr.isInteger, kr.isInteger,
              nr.num >= 0, kr.num >= 0 else { throw MathEvalError.undefined }
        if kr.num > nr.num { return .integer(0) }
        let kk = min(kr.num, nr.num - kr.num)
        if kk <= 10_000 {
            try budget.tick(kk)
            var c = Rational.one
            var exact = true
            for i in stride(from: 0, to: kk, by: 1) {
                guard let m = c.multiplied(by: Rational(nr.num - i)), let q = m.divided(by: Rational(i + 1)) else {
                    exact = false
                    break
                }
                c = q
            }
            if exact { return .rational(c) }
        }
        let (a, b) = (Double(nr.num), Double(kk))
        return .approx(exp(lgamma(a + 1) - lgamma(b + 1) - lgamma(a - b + 1)), mayBeRational: true)
    }

    private func function(_ name: String, _ x: MathNumber) throws -> MathNumber {
        let d = x.doubleValue
        let y: Double
        switch name {
        case "sin": y = sin(d)
        case "cos": y = cos(d)
        case "tan": y = tan(d)
        case "cot": y = 1 / tan(d)
        case "sec": y = 1 / cos(d)
        case "csc": y = 1 / sin(d)
        case "ln": guard d > 0 else { throw MathEvalError.undefined }; y = log(d)
        case "exp": y = exp(d)
        case "arcsin": guard abs(d) <= 1 else { throw MathEvalError.undefined }; y = asin(d)
        case "arccos": guard abs(d) <= 1 else { throw MathEvalError.undefined }; y = acos(d)
        case "arctan": y = atan(d)
        default: throw MathEvalError.notScalar
        }
        if x.isZero && ["sin", "tan", "arcsin", "arctan"].contains(name) { return .integer(0) }
        if x.isZero && ["cos", "exp"].contains(name) { return .integer(1) }
        return .approx(y, mayBeRational: true)
    }
}
