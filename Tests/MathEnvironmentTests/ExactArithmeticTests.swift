import Testing
@testable import MathEnvironment

/// `Rational` and `MathNumber` against naive twins: cross-multiplication for fractions, trial products for
/// roots and square factors. All comparisons are exact (integers), no tolerance.
@Suite struct ExactArithmeticTests {
    /// Deterministic small fractions, den ≠ 0.
    static let fractions: [(Int, Int)] = (0..<40).map { i in ((i * 37) % 29 - 14, (i * 11) % 13 + 1) }

    @Test func rationalOperationsMatchCrossMultiplication() throws {
        for (an, ad) in Self.fractions {
            for (bn, bd) in Self.fractions {
                let a = try #require(Rational(an, ad)), b = try #require(Rational(bn, bd))
                // naive twins: a/b as (n, d) pairs compared by cross-multiplication
                func same(_ r: Rational?, _ n: Int, _ d: Int) -> Bool { r.map { $0.num * d == n * $0.den } ?? false }
                #expect(same(a.adding(b), an * bd + bn * ad, ad * bd))
                #expect(same(a.subtracting(b), an * bd - bn * ad, ad * bd))
                #expect(same(a.multiplied(by: b), an * bn, ad * bd))
                if bn != 0 { #expect(same(a.divided(by: b), an * bd, ad * bn)) } else { #expect(a.divided(by: b) == nil) }
                let r = try #require(a.adding(b))
                #expect(r.den > 0 && Rational.gcd(abs(r.num), r.den) == 1)
            }
        }
    }

    @Test func overflowIsReportedNotTrapped() throws {
        let big = Rational(Int.max)
        #expect(big.adding(.one) == nil)
        #expect(big.multiplied(by: Rational(2)) == nil)
        #expect(Rational(Int.min, 1) == nil)
        #expect(Rational(9).power(387_420_489) == nil)          // 9^(9^9): overflows after a few squarings
        #expect(Rational(2).power(62) == Rational(1 << 62))
        #expect(Rational(-1).power(Int.max) == Rational(-1))
        #expect(Rational(2).power(-3) == Rational(1, 8))
    }

    @Test func integerRootsMatchNaiveSearch() {
        var wrong: [Int] = []
        for n in 0...3000 {
            var r = 0
            while (r + 1) * (r + 1) <= n { r += 1 }
            if IntegerRoots.isqrt(n) != r { wrong.append(n) }
        }
        #expect(wrong.isEmpty)
        #expect(IntegerRoots.isqrt(Int.max) == 3_037_000_499)
        for n in -200...200 {
            let cube = (-6...6).first { $0 * $0 * $0 == n }
            #expect(IntegerRoots.exactRoot(n, 3) == cube)
        }
    }

    @Test func squarefreeSplitMatchesTrialFactoring() throws {
        var wrong: [Int] = []
        for n in 1...2000 {
            guard let (a, b) = IntegerRoots.squarefreeSplit(n) else { wrong.append(n); continue }
            var k = 2, squarefree = true
            while k * k <= b { if b % (k * k) == 0 { squarefree = false }; k += 1 }
            if a * a * b != n || !squarefree { wrong.append(n) }
        }
        #expect(wrong.isEmpty)
        // A square of a prime above the trial bound (10^4): 1_000_003^2 · 2.
        let p = 1_000_003
        #expect(IntegerRoots.squarefreeSplit(p * p)! == (p, 1))
        #expect(IntegerRoots.squarefreeSplit(p * p * 2) == nil)  // cannot be certified cheaply → numeric
    }

    @Test func surdsHaveOneCanonicalForm() throws {
        let eight = try #require(MathNumber.integer(8).squareRoot())
        let twoRootTwo = MathNumber.integer(2) * (try #require(MathNumber.integer(2).squareRoot()))
        guard case .exact(let x) = eight, case .exact(let y) = twoRootTwo else { Issue.record("not exact"); return }
        #expect(x == y)
        #expect(x.coefficient == Rational(2) && x.radicand == 2 && x.piPower == 0)
        let half = try #require(Rational(1, 2))
        let rootHalf = try #require(MathNumber.rational(half).squareRoot())   // √(1/2) = (1/2)√2
        guard case .exact(let z) = rootHalf else { Issue.record("not exact"); return }
        #expect(z.coefficient == half && z.radicand == 2)
        let back = try #require(rootHalf.power(2))
        #expect(back.rationalValue == half)
        // Sums of unlike surds are numeric and known to be irrational.
        guard case .approx(_, let mayBeRational) = MathNumber.integer(1) + eight else { Issue.record("exact?"); return }
        #expect(!mayBeRational)
    }
}
