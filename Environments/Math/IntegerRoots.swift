import Foundation

/// Integer square/k-th roots used to keep roots of perfect powers exact.
enum IntegerRoots {
    /// floor(sqrt(n)) for n >= 0, exact.
    static func isqrt(_ n: Int) -> Int {
        precondition(n >= 0)
        var r = Int(Double(n).squareRoot())
        while r > 0 && r.multipliedReportingOverflow(by: r).overflow { r -= 1 }
        while r * r > n { r -= 1 }
        while true {
            let (sq, ov) = (r + 1).multipliedReportingOverflow(by: r + 1)
            if ov || sq > n { break }
            r += 1
        }
        return r
    }

    /// The exact k-th root of n (k >= 1) when n is a perfect k-th power, else nil.
    static func exactRoot(_ n: Int, _ k: Int) -> Int? {
        if k == 1 { return n }
        if n < 0 { return k % 2 == 1 ? exactRoot(-n, k).map { -$0 } : nil }
        if n < 2 { return n }
        let guess = Int(pow(Double(n), 1.0 / Double(k)).rounded())
        for c in max(0, guess - 1)...(guess + 1) {
            if let p = Rational(c).power(k), p.num == n { return c }
        }
        return nil
    }

    /// Splits n > 0 into (a, b) with n = a^2 * b and b squarefree, or nil when that cannot be certified
    /// cheaply: trial division stops at 10^4 (at most ~5000 steps), and a cofactor of 2·10^8 or more that is not
    /// a perfect square might hide the square of a prime above 10^4.
    static func squarefreeSplit(_ n: Int) -> (outside: Int, inside: Int)? {
        precondition(n > 0)
        var m = n, outside = 1, p = 2
        while p <= 10_000 && p * p <= m {
            let pp = p * p
            while m % pp == 0 { m /= pp; outside *= p }
            p += p == 2 ? 1 : 2
        }
        if p * p > m { return (outside, m) }   // every prime < p divides m at most once, and p^2 > m: squarefree
        let r = isqrt(m)
        if r * r == m {
            let (o, ov) = outside.multipliedReportingOverflow(by: r)
            return ov ? nil : (o, 1)
        }
        return m < 200_000_000 ? (outside, m) : nil
    }
}
