import Foundation

// Fused softmax + cross-entropy with an ignore index. Legend: N rows, V vocabulary.

/// Returns (Σ loss over counted rows, number of counted rows); rows whose target equals `ignoreIndex`
/// contribute nothing. If `dlogits` is given it receives ∂(mean loss)/∂logits = (softmax − onehot)/count
/// (zero rows for ignored targets). logits, dlogits: [N,V], targets: [N]. Sums accumulate in Double.
public func crossEntropyForwardBackward(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                        dlogits: UnsafeMutablePointer<Float>?, N: Int, V: Int,
                                        ignoreIndex: Int32) -> (sum: Double, count: Int) {
    var count = 0
    for n in 0..<N where targets[n] != ignoreIndex { count += 1 }
    let invCount = count > 0 ? 1 / Float(count) : 0
    // Per-chunk partial sums, added in chunk order (independent of thread timing).
    let chunks = Parallel.chunkCount(N, grain: 8)
    let partials = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
    partials.initialize(repeating: 0, count: chunks)
    defer { partials.deallocate() }
    Parallel.forChunks(N, chunks: chunks) { chunk, rows in
        var partial = 0.0
        for n in rows {
            let x = logits + n * V
            let target = targets[n]
            if target == ignoreIndex {
                if let d = dlogits { (d + n * V).update(repeating: 0, count: V) }
                continue
            }
            let m = rowMax(x, V)
            let s: Float
            if let d = dlogits {
                let dr = d + n * V
                s = expShiftedSum(x, dr, V, shift: m)
                let k = invCount / s
                for j in 0..<V { dr[j] *= k }
                dr[Int(target)] -= invCount
            } else {
                s = expShiftedSumOnly(x, V, shift: m)
            }
            let logZ = Double(m) + Foundation.log(Double(s))
            partial += logZ - Double(x[Int(target)])
        }
        partials[chunk] = partial
    }
    var total = 0.0
    for chunk in 0..<chunks { total += partials[chunk] }
    return (total, count)
}

/// Naive twin in Double: mean cross-entropy over rows whose target is not `ignoreIndex`.
public func crossEntropyNaive(logits: [Double], targets: [Int32], V: Int, ignoreIndex: Int32) -> Double {
    var sum = 0.0, count = 0
    for (n, t) in targets.enumerated() where t != ignoreIndex {
        let row = logits[n * V ..< (n + 1) * V]
        let m = row.max()!
        let z = row.map { Foundation.exp($0 - m) }.reduce(0, +)
        sum += m + Foundation.log(z) - row[row.startIndex + Int(t)]
        count += 1
    }
    return count > 0 ? sum / Double(count) : 0
}
