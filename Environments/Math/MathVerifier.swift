/// The verdict on one (gold, predicted) pair, with a short reason that never quotes the gold answer.
public struct MathVerdict: Sendable, Equatable {
    public var equivalent: Bool
    public var reason: String
}

/// Decides whether a predicted final answer is mathematically equivalent to a gold answer.
///
/// Pipeline: length cap → `LatexNormalizer` → identical normalised text? → `MathLexer` → `MathParser` →
/// `AnswerClassifier` → `AnswerEquivalence`. Answers that do not parse are compared as normalised text
/// (whitespace removed; pure text answers case-insensitively). Every comparison runs under an
/// `EvaluationBudget` (parse depth 64, 200 000 steps, `timeLimit` seconds); running out means "not
/// equivalent", never a hang.
public struct MathVerifier: Sendable {
    public struct Options: Sendable, Equatable {
        /// Relative tolerance every numeric comparison may use (0: exact values must match exactly).
        public var tolerance: Double
        /// Answers longer than this (in characters) are not evaluated.
        public var maxAnswerLength: Int
        /// Wall-clock cap on one comparison, in seconds.
        public var timeLimit: Double

        public init(tolerance: Double = 0, maxAnswerLength: Int = 1000, timeLimit: Double = 0.25) {
            self.tolerance = tolerance
            self.maxAnswerLength = maxAnswerLength
            self.timeLimit = timeLimit
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func isEquivalent(gold: String, predicted: String) -> Bool {
        compare(gold: gold, predicted: predicted).equivalent
    }

    public func compare(gold: String, predicted: String) -> MathVerdict {
        guard predicted.count <= options.maxAnswerLength else {
            return MathVerdict(equivalent: false, reason: "answer longer than \(options.maxAnswerLength) characters")
        }
        guard gold.count <= options.maxAnswerLength else {
            return MathVerdict(equivalent: false, reason: "gold answer longer than \(options.maxAnswerLength) characters")
        }
        let g = LatexNormalizer.normalize(gold), p = LatexNormalizer.normalize(predicted)
        if g.textAnswer != nil || p.textAnswer != nil {
            let a = MathVerifier.squash(g.textAnswer ?? g.expression).lowercased()
            let b = MathVerifier.squash(p.textAnswer ?? p.expression).lowercased()
            return MathVerdict(equivalent: !a.isEmpty && a == b, reason: "compared as text")
        }
        if MathVerifier.squash(g.expression) == MathVerifier.squash(p.expression) && !g.expression.isEmpty {
            return MathVerdict(equivalent: true, reason: "identical after normalisation")
        }
        let budget = EvaluationBudget(seconds: options.timeLimit)
        do {
            let ga = try MathVerifier.answer(g, budget: budget)
            let pa = try MathVerifier.answer(p, budget: budget)
            let eq = try AnswerEquivalence(tolerance: options.tolerance, budget: budget).equal(gold: ga, predicted: pa)
            return MathVerdict(equivalent: eq, reason: eq ? "equivalent" : "not equivalent")
        } catch is EvaluationBudget.Exhausted {
            return MathVerdict(equivalent: false, reason: "evaluation budget exhausted")
        } catch {
            // Unparsable on one side: text comparison (a text answer against a lone letter like "A" included).
            let a = MathVerifier.squash(g.textAnswer ?? g.expression).lowercased()
            let b = MathVerifier.squash(p.textAnswer ?? p.expression).lowercased()
            let eq = !a.isEmpty && a == b
            return MathVerdict(equivalent: eq, reason: eq ? "equal as text" : "not equivalent (compared as text)")
        }
    }

    /// Why `answer` cannot be read as math or text (nil when it can): used to reject bad gold answers early.
    public func unreadableReason(_ answer: String) -> String? {
        guard answer.count <= options.maxAnswerLength else { return "longer than \(options.maxAnswerLength) characters" }
        let n = LatexNormalizer.normalize(answer)
        if n.textAnswer != nil { return nil }
        do {
            _ = try MathVerifier.answer(n, budget: EvaluationBudget(seconds: options.timeLimit))
            return nil
        } catch let e as MathParseError {
            return e.message
        } catch let e as MathLexError {
            return e.message
        } catch is EvaluationBudget.Exhausted {
            return "too large to evaluate"
        } catch {
            return "unsupported form"
        }
    }

    /// Parses a normalised answer; a pure text answer becomes `.text`.
    static func answer(_ n: NormalizedAnswer, budget: EvaluationBudget) throws -> MathAnswer {
        if let t = n.textAnswer { return .text(squash(t)) }
        let tokens = try MathLexer.tokenize(n.expression)
        // One `\pm` (or `\mp`) stands for both signs: `\pm 2` is the unordered pair {2, −2}.
        let signs = tokens.indices.filter { tokens[$0] == .command("pm") || tokens[$0] == .command("mp") }
        if signs.count == 1 {
            let both = try ["+", "-"].map { sign -> MathAnswer in
                var t = tokens
                t[signs[0]] = .symbol(sign)
                return try AnswerClassifier.classify(MathParser.parse(t, budget: budget))
            }
            return .unordered(both, bare: true)
        }
        return try AnswerClassifier.classify(MathParser.parse(tokens, budget: budget))
    }

    /// Whitespace removed, a trailing full stop dropped, `(A)` → `A`.
    static func squash(_ s: String) -> String {
        var t = String(s.filter { !$0.isWhitespace })
        while t.hasSuffix(".") { t.removeLast() }
        if t.count >= 3 && t.first == "(" && t.last == ")" && !t.dropFirst().dropLast().contains(where: { "(),".contains($0) }) {
            t = String(t.dropFirst().dropLast())
        }
        return t
    }
}
