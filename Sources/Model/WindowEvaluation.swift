/// Mean next-token cross-entropy over consecutive windows of a token stream (what `discover eval` runs).
/// Window i has inputs `tokens[i·T ..< (i+1)·T]` and targets `tokens[i·T+1 ..< (i+1)·T+1]`; every target counts.
public enum WindowEvaluation {
    public struct TokenError: Error, CustomStringConvertible, Sendable {
        public let position: Int, token: Int32, vocab: Int
        public var description: String { "token \(token) at position \(position) is outside the vocabulary 0..<\(vocab)" }
    }

    /// Returns the mean loss over `windows·T` targets. With `gradients`, `model.grads` is zeroed first and
    /// then holds ∂(mean loss)/∂θ. `read(start, count)` supplies tokens; windows are run `batch` at a time.
    public static func meanLoss(model: MHCModel, windows: Int, seqLen T: Int, batch: Int, gradients: Bool,
                                read: (_ start: Int, _ count: Int) -> [Int32],
                                progress: ((_ done: Int) -> Void)? = nil) throws -> Double {
        precondition(windows >= 1 && T >= 1 && batch >= 1)
        let V = model.config.vocabSize, total = windows * T
        if gradients { model.grads.zero() }
        var dLogits = [Float](repeating: 0, count: gradients ? min(batch, windows) * T * V : 0)
        var lossSum = 0.0, done = 0
        while done < windows {
            let b = min(batch, windows - done)
            let all = read(done * T, b * T + 1)
            if let bad = all.firstIndex(where: { $0 < 0 || Int($0) >= V }) {
                throw TokenError(position: done * T + bad, token: all[bad], vocab: V)
            }
            let targets = Array(all[1...(b * T)])
            let logits = model.forward(tokens: Array(all[0..<(b * T)]), batch: b, seqLen: T)
            let (loss, count) = dLogits.withUnsafeMutableBufferPointer { d in
                crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: V, ignoreIndex: -1,
                                 dLogits: gradients ? d.baseAddress! : nil)
            }
            lossSum += loss * Double(count)
            if gradients {
                // this batch's dLogits carry 1/count; the mean over all windows needs 1/total
                let scale = Float(count) / Float(total)
                for i in 0..<(b * T * V) { dLogits[i] *= scale }
                dLogits.withUnsafeBufferPointer { model.backward(dLogits: $0.baseAddress!) }
            }
            done += b
            progress?(done)
        }
        return lossSum / Double(total)
    }
}
