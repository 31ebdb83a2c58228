// The sequences of one SDFT step and the row bookkeeping between them.
//
// Legend: B sequences, T padded length of a pass, V vocabulary, L_b completion length of sequence b.
// Sequence b of the student is  BOS + prompt + completion;  of the teacher  BOS + template(prompt, demo) + completion,
// over the very same completion ids. Row k of sequence b's completion is predicted by the logits at position
// promptLen_b − 1 + k; the last completion token is never an input, so a pass feeds promptLen_b + L_b − 1 tokens.

/// Student and teacher sequences of one step.
public struct DistillationBatch: Sendable, Equatable {
    /// BOS + encoded prompt, per example.
    public var studentPrompts: [[Int32]]
    /// BOS + encoded teacher context (prompt with the demonstration in context), per example.
    public var teacherPrompts: [[Int32]]
    /// Sampled completion ids, per example (EOS included when the sample stopped on it).
    public var completions: [[Int32]]

    public init(studentPrompts: [[Int32]], teacherPrompts: [[Int32]], completions: [[Int32]]) {
        precondition(studentPrompts.count == teacherPrompts.count && teacherPrompts.count == completions.count)
        self.studentPrompts = studentPrompts
        self.teacherPrompts = teacherPrompts
        self.completions = completions
    }

    public var studentSequences: [[Int32]] { zip(studentPrompts, completions).map { $0 + $1 } }
    public var teacherSequences: [[Int32]] { zip(teacherPrompts, completions).map { $0 + $1 } }
    public var completionLengths: [Int] { completions.map(\.count) }
    /// Total completion rows N = Σ L_b.
    public var rowCount: Int { completions.reduce(0) { $0 + $1.count } }
}

/// One right-padded pass: inputs `[B, T]` and, for each sequence, where its completion rows start.
public struct PaddedPass: Sendable, Equatable {
    public let tokens: [Int32]
    public let batch: Int
    public let seqLen: Int
    /// Position of the logits that predict completion token 0 of each sequence (promptLen − 1).
    public let firstRow: [Int]
    public let completionLengths: [Int]

    /// Pads `prompts[b] + completions[b]` minus its last token to the longest such input, with PAD (id 0).
    /// By causality the padding after a sequence never changes the logits of its own positions.
    public init(prompts: [[Int32]], completions: [[Int32]]) {
        precondition(prompts.count == completions.count && !prompts.isEmpty)
        precondition(zip(prompts, completions).allSatisfy { !$0.isEmpty && !$1.isEmpty },
                     "every sequence needs a prompt and at least one completion token")
        let inputs = zip(prompts, completions).map { Array(($0 + $1).dropLast()) }
        let T = inputs.map(\.count).max()!
        var tokens = [Int32](repeating: TextCodec.pad, count: inputs.count * T)
        for (b, input) in inputs.enumerated() {
            for (t, id) in input.enumerated() { tokens[b * T + t] = id }
        }
        self.tokens = tokens
        self.batch = inputs.count
        self.seqLen = T
        self.firstRow = prompts.map { $0.count - 1 }
        self.completionLengths = completions.map(\.count)
    }

    /// Copies the completion rows of `logits` ([B, T, V]) into `rows` ([N, V]), sequence by sequence.
    public func gather(logits: UnsafePointer<Float>, vocab V: Int, into rows: UnsafeMutablePointer<Float>) {
        var r = 0
        for b in 0..<batch {
            let start = (b * seqLen + firstRow[b]) * V
            let n = completionLengths[b] * V
            rows.advanced(by: r * V).update(from: logits + start, count: n)
            r += completionLengths[b]
        }
    }

    /// Writes `rows` ([N, V]) back to their positions in `dLogits` ([B, T, V]); every other entry becomes 0.
    public func scatter(rows: UnsafePointer<Float>, vocab V: Int, into dLogits: UnsafeMutablePointer<Float>) {
        dLogits.update(repeating: 0, count: batch * seqLen * V)
        var r = 0
        for b in 0..<batch {
            let start = (b * seqLen + firstRow[b]) * V
            let n = completionLengths[b] * V
            (dLogits + start).update(from: rows + r * V, count: n)
            r += completionLengths[b]
        }
    }
}
