/// Decides whether a predicted `MathAnswer` is equivalent to the gold one. Asymmetric on purpose: a gold
/// inequality accepts a predicted interval, but a gold interval does not accept a predicted inequality.
///
/// - scalar vs scalar: evaluate both (`MathEvaluator`) and compare (`NumberComparison`). With free variables
///   (the same set on both sides, at most 6) both sides are evaluated at 3 fixed rational points and must
///   agree at each (`2x+1` = `1+2x`). A top-level percent `p%` may stand for `p` or `p/100`. When neither side
///   evaluates (∞, overflow past `Double`, undefined) the parse trees must be identical.
/// - ordered vs ordered: same brackets, same length, item by item. A gold tuple also accepts a bare list in
///   the same order (`(1, 2)` vs `1, 2`).
/// - unordered (sets, bare lists) vs unordered: equal as multisets after removing repeats from `\{…\}` sets
///   (bare lists keep them); a gold bare list also accepts a tuple.
/// - intervals: same number of pieces, matched in any order, ends equal, closedness equal at finite ends.
///   A two-item `(a, b)`/`[a, b]` pair counts as an interval when compared against one.
/// - labelled values (`a = 2, b = 3`): the same names with equal values, in any order; against a tuple or
///   bare list (either side) the values must come in the order written (`x = 1, y = 2` vs `(1, 2)`).
/// - relations: same operators, sides pairwise equal (an equation also in swapped order, or rearranged /
///   scaled: `x + y = 1` = `2y = 2 − 2x`, see `proportional`).
struct AnswerEquivalence {
    let tolerance: Double
    let budget: EvaluationBudget

    static let maxVariables = 6
    /// Sample values for free variables: rationals, so polynomial identities compare exactly.
    static let samplePoints: [[Rational]] = [
        [Rational(7, 3)!, Rational(11, 5)!, Rational(13, 7)!, Rational(17, 4)!, Rational(19, 6)!, Rational(23, 9)!],
        [Rational(5, 11)!, Rational(-3, 8)!, Rational(29, 10)!, Rational(-7, 5)!, Rational(31, 12)!, Rational(2, 13)!],
        [Rational(-9, 4)!, Rational(37, 6)!, Rational(3, 17)!, Rational(41, 7)!, Rational(-11, 3)!, Rational(43, 5)!],
    ]

    func equal(gold: MathAnswer, predicted: MathAnswer) throws -> Bool {
        try budget.tick()
        switch (gold, predicted) {
        case (.text(let a), .text(let b)): return a == b
        case (.scalar(let a), .scalar(let b)): return try scalarsEqual(a, b)
        case (.ordered(let go, let gc, let g), .ordered(let po, let pc, let p)):
            guard go == po && gc == pc else { return false }
            return try inOrder(g, p)
        case (.ordered(_, _, let g), .unordered(let p, bare: true)):
            return try inOrder(g, p)
        case (.unordered(let g, let gBare), .unordered(let p, let pBare)):
            // A set written with a repeated element is the same set: {1, 1, 2} = {1, 2}.
            return try asMultisets(gBare ? g : deduplicated(g), pBare ? p : deduplicated(p))
        case (.unordered(let g, bare: true), .ordered(_, _, let p)):
            return try asMultisets(g, p)
        case (.intervals(let g), .intervals(let p)), (.inequality(let g), .intervals(let p)),
             (.inequality(let g), .inequality(let p)):
            return try intervalsEqual(g, p)
        case (.ordered(let o, let c, let xs), .intervals(let p)):
            guard let iv = AnswerClassifier.interval(o, c, xs) else { return false }
            return try intervalsEqual([iv], p)
        case (.intervals(let g), .ordered(let o, let c, let xs)), (.inequality(let g), .ordered(let o, let c, let xs)):
            guard let iv = AnswerClassifier.interval(o, c, xs) else { return false }
            return try intervalsEqual(g, [iv])
        case (.labeled(let gn, let gv), .labeled(let pn, let pv)):
            guard Set(gn) == Set(pn), gn.count == pn.count else { return false }
            for (name, value) in zip(gn, gv) {
                guard let j = pn.firstIndex(of: name), try equal(gold: value, predicted: pv[j]) else { return false }
            }
            return true
        case (.labeled(_, let g), .ordered(_, _, let p)), (.labeled(_, let g), .unordered(let p, bare: true)),
             (.ordered(_, _, let g), .labeled(_, let p)):
            return try inOrder(g, p)
        case (.relation(let gx, let gops), .relation(let px, let pops)):
            if gops == pops, gx.count == px.count, try zip(gx, px).allSatisfy({ try scalarsEqual($0, $1) }) { return true }
            if gops == ["="] && pops == ["="] && gx.count == 2 && px.count == 2 {
                if try scalarsEqual(gx[0], px[1]) && scalarsEqual(gx[1], px[0]) { return true }
                return try proportional(.subtract(gx[0], gx[1]), .subtract(px[0], px[1]))
            }
            return false
        default:
            return false
        }
    }

    private func inOrder(_ g: [MathAnswer], _ p: [MathAnswer]) throws -> Bool {
        guard g.count == p.count else { return false }
        for (a, b) in zip(g, p) where !(try equal(gold: a, predicted: b)) { return false }
        return true
    }

    private func deduplicated(_ xs: [MathAnswer]) throws -> [MathAnswer] {
        var kept: [MathAnswer] = []
        for x in xs where !(try kept.contains { try equal(gold: $0, predicted: x) }) { kept.append(x) }
        return kept
    }

    private func asMultisets(_ g: [MathAnswer], _ p: [MathAnswer]) throws -> Bool {
        guard g.count == p.count else { return false }
        var used = [Bool](repeating: false, count: p.count)
        outer: for a in g {
            for (j, b) in p.enumerated() where !used[j] {
                if try equal(gold: a, predicted: b) { used[j] = true; continue outer }
            }
            return false
        }
        return true
    }

    private func intervalsEqual(_ g: [Interval], _ p: [Interval]) throws -> Bool {
        guard g.count == p.count else { return false }
        var used = [Bool](repeating: false, count: p.count)
        outer: for a in g {
            for (j, b) in p.enumerated() where !used[j] {
                if try endEqual(a.lower, a.lowerClosed, b.lower, b.lowerClosed),
                   try endEqual(a.upper, a.upperClosed, b.upper, b.upperClosed) {
                    used[j] = true
                    continue outer
                }
            }
            return false
        }
        return true
    }

    private func endEqual(_ a: MathExpr, _ ac: Bool, _ b: MathExpr, _ bc: Bool) throws -> Bool {
        if a.isInfinite || b.isInfinite { return a == b || (infinitySign(a) != 0 && infinitySign(a) == infinitySign(b)) }
        guard ac == bc else { return false }
        return try scalarsEqual(a, b)
    }

    private func infinitySign(_ e: MathExpr) -> Int {
        switch e {
        case .infinity: return 1
        case .negate(let x): return -infinitySign(x)
        default: return 0
        }
    }

    func scalarsEqual(_ a: MathExpr, _ b: MathExpr) throws -> Bool {
        let va = a.variables, vb = b.variables
        guard va == vb else { return false }
        if let x = AnswerEquivalence.decimal(a), let y = AnswerEquivalence.decimal(b), tolerance == 0 { return x == y }
        if va.isEmpty { return try valuesEqual(a, b, at: [:]) ?? (a == b) }
        guard va.count <= AnswerEquivalence.maxVariables else { return a == b }
        let names = va.sorted()
        var agreed = 0
        for point in AnswerEquivalence.samplePoints {
            var env: [String: MathNumber] = [:]
            for (i, n) in names.enumerated() { env[n] = .rational(point[i]) }
            switch try valuesEqual(a, b, at: env) {
            case .some(true): agreed += 1
            case .some(false): return false
            case .none: continue
            }
        }
        return agreed >= 2 || a == b
    }

    /// Equations `l₁ = r₁` and `l₂ = r₂` in the same variables are the same equation when `l₁ − r₁` is a
    /// constant non-zero multiple of `l₂ − r₂` (`x + y = 1` and `2y = 2 − 2x`): the ratio is compared across the
    /// sample points; both differences zero at a point skips it, one zero is a mismatch.
    private func proportional(_ g: MathExpr, _ p: MathExpr) throws -> Bool {
        let vars = g.variables
        guard !vars.isEmpty, vars == p.variables, vars.count <= AnswerEquivalence.maxVariables else { return false }
        let names = vars.sorted()
        var ratio: MathNumber?
        var agreed = 0
        for point in AnswerEquivalence.samplePoints {
            var env: [String: MathNumber] = [:]
            for (i, n) in names.enumerated() { env[n] = .rational(point[i]) }
            let ev = MathEvaluator(variables: env, budget: budget)
            guard let a = try? ev.evaluate(g), let b = try? ev.evaluate(p) else { continue }
            if a.isZero && b.isZero { continue }
            guard let r = a / b, !r.isZero else { return false }
            if let r0 = ratio, !NumberComparison.equal(r0, r, tolerance: tolerance) { return false }
            ratio = r
            agreed += 1
        }
        return agreed >= 2
    }

    /// A literal (optionally negated) as (sign, significant digits, exponent): literals of any size compare
    /// exactly, so 30-digit integers that differ in the last digit are different.
    static func decimal(_ e: MathExpr) -> (Bool, String, Int)? {
        var negative = false, x = e
        if case .negate(let inner) = x { negative = true; x = inner }
        guard case .number(let text) = x else { return nil }
        var mantissa = Substring(text), exponent = 0
        if let i = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let v = Int(text[text.index(after: i)...]), v > -1_000_000_000, v < 1_000_000_000 else { return nil }
            mantissa = text[..<i]
            exponent = v
        }
        var digits = String(mantissa)
        if let dot = digits.firstIndex(of: ".") {
            exponent -= digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        while digits.first == "0" { digits.removeFirst() }
        while digits.last == "0" { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { return (false, "0", 0) }
        return (negative, digits, exponent)
    }

    /// nil when neither side evaluates; false when only one does.
    private func valuesEqual(_ a: MathExpr, _ b: MathExpr, at env: [String: MathNumber]) throws -> Bool? {
        let ev = MathEvaluator(variables: env, budget: budget)
        let xa = try candidates(a, ev), xb = try candidates(b, ev)
        if xa.isEmpty && xb.isEmpty { return nil }
        for x in xa { for y in xb where NumberComparison.equal(x, y, tolerance: tolerance) { return true } }
        return false
    }

    /// The values an expression may stand for: its value, and for a top-level `p%` also `p`.
    private func candidates(_ e: MathExpr, _ ev: MathEvaluator) throws -> [MathNumber] {
        var out: [MathNumber] = []
        do { out.append(try ev.evaluate(e)) } catch let err as MathEvalError { _ = err }
        if case .percent(let inner) = e {
            do { out.append(try ev.evaluate(inner)) } catch let err as MathEvalError { _ = err }
        }
        return out
    }
}
