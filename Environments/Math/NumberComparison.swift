/// When two numbers count as equal.
///
/// Exact against exact: identical monomials (`coefficient·√r·π^k`), no tolerance. A rational against a
/// value known to be irrational: never equal. Anything involving the numeric fallback: relative tolerance
/// `1e-9` (`|a−b| ≤ 1e-9·max(|a|,|b|)`, or `|a−b| ≤ 1e-12` near zero), which absorbs `Double` rounding in
/// irrational arithmetic but not a truncated decimal. A caller's `tolerance` (relative, default 0) widens
/// every comparison, exact ones included, so `tolerance = 1e-3` lets `0.333` match `1/3`.
enum NumberComparison {
    static let numericRelativeTolerance = 1e-9
    static let numericAbsoluteTolerance = 1e-12

    static func equal(_ a: MathNumber, _ b: MathNumber, tolerance: Double) -> Bool {
        if tolerance > 0 && close(a.doubleValue, b.doubleValue, relative: tolerance) { return true }
        switch (a, b) {
        case (.exact(let x), .exact(let y)):
            return x == y
        case (.exact(let x), .approx(_, let r)), (.approx(_, let r), .exact(let x)):
            if x.isRational && !r { return false }
            return close(a.doubleValue, b.doubleValue, relative: numericRelativeTolerance)
        case (.approx, .approx):
            return close(a.doubleValue, b.doubleValue, relative: numericRelativeTolerance)
        }
    }

    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        guard a.isFinite, b.isFinite else { return false }
        let diff = abs(a - b)
        return diff <= relative * max(abs(a), abs(b)) || diff <= numericAbsoluteTolerance
    }
}
