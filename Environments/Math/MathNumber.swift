import Foundation

/// A real number as the verifier evaluates it: exact where it can be, a `Double` otherwise.
///
/// `.exact` is a monomial `coefficient · √radicand · π^piPower` with a rational coefficient, a squarefree
/// radicand ≥ 1 and a small integer power of π. Products, quotients, integer powers and square roots of such
/// monomials stay exact (so `2\sqrt{2}` and `\sqrt{8}` are both `2·√2`, and `\sqrt{2}^2` is exactly 2), and
/// sums of like monomials stay exact. Anything else (sums of unlike terms, other roots, transcendental
/// functions, 64-bit overflow) becomes `.approx`, compared with a relative tolerance (`NumberComparison`).
/// `mayBeRational` is false only when the value is certainly irrational (a sum of unlike monomials with
/// non-zero coefficients: square roots of distinct squarefree integers and powers of π are linearly
/// independent over ℚ), which lets the verifier reject a decimal typed for an irrational gold answer.
enum MathNumber: Sendable, CustomStringConvertible {
    case exact(Surd)
    case approx(Double, mayBeRational: Bool)

    struct Surd: Hashable, Sendable {
        var coefficient: Rational
        var radicand: Int
        var piPower: Int

        var isRational: Bool { radicand == 1 && piPower == 0 }
        var doubleValue: Double {
            coefficient.doubleValue * Double(radicand).squareRoot() * pow(Double.pi, Double(piPower))
        }
    }

    /// |piPower| above this is evaluated numerically (keeps `\pi^{10^9}` from being "exact").
    static let maxPiPower = 64

    static func rational(_ r: Rational) -> MathNumber { .exact(Surd(coefficient: r, radicand: 1, piPower: 0)) }
    static func integer(_ n: Int) -> MathNumber { rational(Rational(n)) }
    static let pi = MathNumber.exact(Surd(coefficient: .one, radicand: 1, piPower: 1))

    var doubleValue: Double {
        switch self {
        case .exact(let s): return s.doubleValue
        case .approx(let d, _): return d
        }
    }

    /// The value as a plain rational, when it is one exactly.
    var rationalValue: Rational? {
        if case .exact(let s) = self, s.isRational { return s.coefficient }
        return nil
    }

    var isZero: Bool {
        if case .exact(let s) = self { return s.coefficient.isZero }
        return doubleValue == 0
    }

    var description: String {
        switch self {
        case .exact(let s):
            var t = s.coefficient.description
            if s.radicand != 1 { t += "·√\(s.radicand)" }
            if s.piPower != 0 { t += "·π^\(s.piPower)" }
            return t
        case .approx(let d, _): return "≈\(d)"
        }
    }

    private static func normalised(_ c: Rational, _ r: Int, _ k: Int) -> MathNumber {
        if c.isZero { return .integer(0) }
        if k.magnitude > UInt(maxPiPower) {
            return .approx(c.doubleValue * Double(r).squareRoot() * pow(Double.pi, Double(k)), mayBeRational: true)
        }
        return .exact(Surd(coefficient: c, radicand: r, piPower: k))
    }

    static func + (a: MathNumber, b: MathNumber) -> MathNumber {
        if a.isZero { return b }
        if b.isZero { return a }
        if case .exact(let x) = a, case .exact(let y) = b {
            if x.radicand == y.radicand && x.piPower == y.piPower {
                if let c = x.coefficient.adding(y.coefficient) { return normalised(c, x.radicand, x.piPower) }
                return .approx(a.doubleValue + b.doubleValue, mayBeRational: true)
            }
            return .approx(a.doubleValue + b.doubleValue, mayBeRational: false)
        }
        return .approx(a.doubleValue + b.doubleValue, mayBeRational: true)
    }

    static prefix func - (a: MathNumber) -> MathNumber {
        switch a {
        case .exact(let s):
            if let c = s.coefficient.negated() { return .exact(Surd(coefficient: c, radicand: s.radicand, piPower: s.piPower)) }
            return .approx(-a.doubleValue, mayBeRational: true)
        case .approx(let d, let r): return .approx(-d, mayBeRational: r)
        }
    }

    static func - (a: MathNumber, b: MathNumber) -> MathNumber { a + (-b) }

    static func * (a: MathNumber, b: MathNumber) -> MathNumber {
        if a.isZero || b.isZero { return .integer(0) }
        guard case .exact(let x) = a, case .exact(let y) = b else {
            return .approx(a.doubleValue * b.doubleValue, mayBeRational: true)
        }
        // √r1·√r2 = g·√((r1/g)(r2/g)) with g = gcd(r1, r2); both squarefree, so the rest is squarefree too.
        let g = Rational.gcd(x.radicand, y.radicand)
        let (r, o1) = (x.radicand / g).multipliedReportingOverflow(by: y.radicand / g)
        guard !o1, let c = x.coefficient.multiplied(by: y.coefficient)?.multiplied(by: Rational(g)) else {
            return .approx(a.doubleValue * b.doubleValue, mayBeRational: true)
        }
        return normalised(c, r, x.piPower + y.piPower)
    }

    /// nil on division by exact zero.
    static func / (a: MathNumber, b: MathNumber) -> MathNumber? {
        if b.isZero { return nil }
        guard let inv = b.reciprocal() else { return nil }
        return a * inv
    }

    func reciprocal() -> MathNumber? {
        switch self {
        case .exact(let s):
            // 1/(c·√r·π^k) = (1/(c·r))·√r·π^-k
            guard let c = s.coefficient.multiplied(by: Rational(s.radicand))?.reciprocal() else {
                return isZero ? nil : .approx(1 / doubleValue, mayBeRational: true)
            }
            return MathNumber.normalised(c, s.radicand, -s.piPower)
        case .approx(let d, let r): return d == 0 ? nil : .approx(1 / d, mayBeRational: r)
        }
    }

    /// `self^n` for an integer n; O(log |n|) and overflow-safe.
    func power(_ n: Int) -> MathNumber? {
        if n == 0 { return .integer(1) }
        if isZero { return n > 0 ? .integer(0) : nil }
        guard case .exact(let s) = self else { return .approx(pow(doubleValue, Double(n)), mayBeRational: true) }
        let half = n >> 1                                  // floor(n / 2), no overflow
        let (k, ov) = s.piPower.multipliedReportingOverflow(by: n)
        guard !ov, let c = s.coefficient.power(n), let rr = Rational(s.radicand).power(half),
              let coeff = c.multiplied(by: rr) else {
            return .approx(pow(doubleValue, Double(n)), mayBeRational: true)
        }
        return MathNumber.normalised(coeff, n % 2 == 0 ? 1 : s.radicand, k)
    }

    /// √self for self ≥ 0 (nil for negative values: no complex numbers).
    func squareRoot() -> MathNumber? {
        if doubleValue < 0 { return nil }
        guard case .exact(let s) = self, s.radicand == 1, s.piPower % 2 == 0 else {
            return .approx(doubleValue.squareRoot(), mayBeRational: true)
        }
        // √(a/b) = √(a·b)/b, then pull square factors out of a·b.
        let (ab, ov) = s.coefficient.num.multipliedReportingOverflow(by: s.coefficient.den)
        guard !ov, ab > 0, let (outside, inside) = IntegerRoots.squarefreeSplit(ab),
              let c = Rational(outside, s.coefficient.den) else {
            return .approx(doubleValue.squareRoot(), mayBeRational: true)
        }
        return MathNumber.normalised(c, inside, s.piPower / 2)
    }

    /// The real k-th root (k ≥ 1); exact for perfect powers of a rational, otherwise numeric.
    func root(_ k: Int) -> MathNumber? {
        if k == 2 { return squareRoot() }
        let d = doubleValue
        if d < 0 && k % 2 == 0 { return nil }
        if let r = rationalValue, let n = IntegerRoots.exactRoot(r.num, k), let m = IntegerRoots.exactRoot(r.den, k),
           let q = Rational(n, m) {
            return .rational(q)
        }
        let mag = pow(abs(d), 1 / Double(k))
        return .approx(d < 0 ? -mag : mag, mayBeRational: rationalValue == nil)
    }

    /// `self^e` for any exponent: integer and half-integer exponents stay exact, others are numeric.
    func power(_ e: MathNumber) -> MathNumber? {
        if let q = e.rationalValue {
            if q.isInteger { return power(q.num) }
            if q.den <= 64, let base = root(q.den) { return base.power(q.num) }
        }
        let d = doubleValue, x = e.doubleValue
        if d < 0 { return nil }
        return .approx(pow(d, x), mayBeRational: true)
    }
}
