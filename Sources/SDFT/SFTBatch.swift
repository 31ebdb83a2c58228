// The SFT baseline's batch: BOS + prompt + demonstration + EOS, loss on the demonstration and EOS only.
//
// Legend: B sequences, T padded input length. Inputs are the sequence minus its last token; the target at
// position t is token t+1, or −1 (ignored) while it still belongs to BOS + prompt. Padding targets are −1.

public struct SFTBatch: Sendable, Equatable {
    /// Inputs `[B, T]`, right-padded with PAD.
    public let tokens: [Int32]
    /// Targets `[B, T]`; −1 wherever no loss is taken.
    public let targets: [Int32]
    public let batch: Int
    public let seqLen: Int

    /// - Parameters:
    ///   - prompts: BOS + encoded prompt, per example.
    ///   - demonstrations: encoded demonstration, per example (EOS is appended here).
    public init(prompts: [[Int32]], demonstrations: [[Int32]]) {
        precondition(prompts.count == demonstrations.count && !prompts.isEmpty)
        let sequences = zip(prompts, demonstrations).map { $0 + $1 + [TextCodec.eos] }
        let T = sequences.map { $0.count - 1 }.max()!
        var tokens = [Int32](repeating: TextCodec.pad, count: sequences.count * T)
        var targets = [Int32](repeating: -1, count: sequences.count * T)
        for (b, s) in sequences.enumerated() {
            let promptLen = prompts[b].count
            for t in 0..<(s.count - 1) {
                tokens[b * T + t] = s[t]
                if t + 1 >= promptLen { targets[b * T + t] = s[t + 1] }
            }
        }
        self.tokens = tokens
        self.targets = targets
        self.batch = sequences.count
        self.seqLen = T
    }
}
