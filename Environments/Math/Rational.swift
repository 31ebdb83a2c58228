import Foundation

// Exact rational numbers on 64-bit `Int` with overflow detection.
//
// Why not arbitrary precision: the answers this verifier compares (competition-style numbers) fit in 64 bits,
// a fixed-width type keeps every operation O(1) in time and memory (no bignum blow-up to defend against), and
// the package gains no new dependency. Every operation reports overflow instead of trapping; the caller then
// falls back to `Double` arithmetic (see `MathNumber`), so a result that leaves 64 bits is compared numerically
// with a relative tolerance instead of exactly. Plain integer literals that do not fit are compared digit by
// digit before any evaluation happens (`AnswerEquivalence`), so large exact integers are still exact.

/// A normalised fraction `num/den`: `den > 0`, `gcd(|num|, den) == 1`, zero is `0/1`.
struct Rational: Hashable, Sendable, CustomStringConvertible {
    let num: Int
    let den: Int

    static let zero = Rational(unchecked: 0, 1)
    static let one = Rational(unchecked: 1, 1)

    private init(unchecked num: Int, _ den: Int) {
        self.num = num
        self.den = den
    }

    init(_ value: Int) { self.init(unchecked: value, 1) }

    /// nil when `den == 0` or normalisation overflows (`Int.min` cannot be negated).
    init?(_ num: Int, _ den: Int) {
        guard den != 0, num != .min, den != .min else { return nil }
        let g = Rational.gcd(abs(num), abs(den))
        let sign = den < 0 ? -1 : 1
        self.init(unchecked: sign * num / g, sign * den / g)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }

    var isInteger: Bool { den == 1 }
    var isZero: Bool { num == 0 }
    var doubleValue: Double { Double(num) / Double(den) }
    var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }

    func adding(_ o: Rational) -> Rational? {
        let g = Rational.gcd(den, o.den)
        let (l, o1) = (den / g).multipliedReportingOverflow(by: o.den)
        let (a, o2) = num.multipliedReportingOverflow(by: o.den / g)
        let (b, o3) = o.num.multipliedReportingOverflow(by: den / g)
        guard !o1, !o2, !o3 else { return nil }
        let (s, o4) = a.addingReportingOverflow(b)
        guard !o4 else { return nil }
        return Rational(s, l)
    }

    func negated() -> Rational? { num == .min ? nil : Rational(unchecked: -num, den) }

    func subtracting(_ o: Rational) -> Rational? { o.negated().flatMap { adding($0) } }

    func multiplied(by o: Rational) -> Rational? {
        // Cross-cancel first so that products of normalised fractions overflow as late as possible.
        let g1 = Rational.gcd(abs(num), o.den), g2 = Rational.gcd(abs(o.num), den)
        let (n, o1) = (num / g1).multipliedReportingOverflow(by: o.num / g2)
        let (d, o2) = (den / g2).multipliedReportingOverflow(by: o.den / g1)
        guard !o1, !o2 else { return nil }
        return Rational(n, d)
    }

    func reciprocal() -> Rational? { num == 0 ? nil : Rational(den, num) }

    func divided(by o: Rational) -> Rational? { o.reciprocal().flatMap { multiplied(by: $0) } }

    /// `self^n` by repeated squaring: O(log |n|) steps, stops at the first overflow (so `9^(9^9)` is instant).
    func power(_ n: Int) -> Rational? {
        if n == 0 { return .one }
        if n == .min { return nil }
        if n < 0 { return reciprocal()?.power(-n) }
        if num == 0 || self == .one { return self }
        if num == -1 && den == 1 { return n % 2 == 0 ? .one : self }
        var result = Rational.one, base = self, e = n
        while true {
            if e & 1 == 1 { guard let r = result.multiplied(by: base) else { return nil }; result = r }
            e >>= 1
            if e == 0 { return result }
            guard let b = base.multiplied(by: base) else { return nil }
            base = b
        }
    }

    static func < (a: Rational, b: Rational) -> Bool {
        let (l, o1) = a.num.multipliedReportingOverflow(by: b.den)
        let (r, o2) = b.num.multipliedReportingOverflow(by: a.den)
        if o1 || o2 { return a.doubleValue < b.doubleValue }
        return l < r
    }
}
