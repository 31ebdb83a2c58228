// Token embedding lookup. Legend: N rows (B*T), C channels, V vocabulary.

/// out[n,:] = table[tokens[n],:].  out: [N,C], tokens: [N], table: [V,C]. Tokens must lie in 0..<V.
public func embeddingForward(_ out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                             table: UnsafePointer<Float>, N: Int, C: Int) {
    Parallel.forRanges(N, grain: 64) { rows in
        for n in rows {
            (out + n * C).update(from: table + Int(tokens[n]) * C, count: C)
        }
    }
}

/// dtable[tokens[n],:] += dout[n,:].  dtable: [V,C], dout: [N,C].
/// Parallel over vocabulary ranges (each worker scans all tokens, owns its rows) so there are no races.
public func embeddingBackward(_ dtable: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                              dout: UnsafePointer<Float>, N: Int, C: Int, V: Int) {
    Parallel.forRanges(V, grain: 256) { vocab in
        for n in 0..<N {
            let t = Int(tokens[n])
            guard vocab.contains(t) else { continue }
            let d = dtable + t * C, g = dout + n * C
            for c in 0..<C { d[c] += g[c] }
        }
    }
}

/// Naive twin of `embeddingForward` in Double.
public func embeddingForwardNaive(tokens: [Int32], table: [Double], C: Int) -> [Double] {
    var out: [Double] = []
    for t in tokens { out += table[Int(t) * C ..< (Int(t) + 1) * C] }
    return out
}
