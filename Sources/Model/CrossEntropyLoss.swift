import Tensor

/// Loss head: mean cross-entropy over rows whose target is not `ignoreIndex`. If `dLogits` is given it
/// receives ∂(mean loss)/∂logits, already divided by the count. logits: [targets.count, vocab].
/// Returns (0, 0) when every target is ignored.
public func crossEntropyLoss(logits: UnsafePointer<Float>, targets: [Int32], vocab: Int, ignoreIndex: Int32,
                             dLogits: UnsafeMutablePointer<Float>?) -> (loss: Double, count: Int) {
    for t in targets where t != ignoreIndex {
        precondition(t >= 0 && Int(t) < vocab, "target \(t) outside 0..<\(vocab)")
    }
    let r = targets.withUnsafeBufferPointer { tg in
        crossEntropyForwardBackward(logits: logits, targets: tg.baseAddress!, dlogits: dLogits,
                                    N: targets.count, V: vocab, ignoreIndex: ignoreIndex)
    }
    return (r.count > 0 ? r.sum / Double(r.count) : 0, r.count)
}
