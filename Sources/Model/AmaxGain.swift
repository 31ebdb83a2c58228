extension MHCModel {
    /// Amax gain of the composite H_res product along depth (paper Fig. 3), from the last forward:
    /// for each token P = H_res(2L−1)···H_res(0); forward gain = max absolute row sum of P, backward
    /// gain = max absolute column sum; each reported as the maximum over the tokens of the last batch.
    /// (1, 1) when n = 1 or before any forward.
    public func amaxGains() -> (forward: Double, backward: Double) {
        let n = config.nStreams
        guard n > 1, let a = acts else { return (1, 1) }
        var fwd = 0.0, bwd = 0.0
        var p = [Double](repeating: 0, count: n * n), t = p
        for row in 0..<a.N {
            for i in 0..<n { for j in 0..<n { p[i * n + j] = i == j ? 1 : 0 } }
            for s in 0..<(2 * config.nLayers) {
                let h = a.hcRes[s] + row * n * n
                for i in 0..<n { for j in 0..<n {
                    var acc = 0.0
                    for k in 0..<n { acc += Double(h[i * n + k]) * p[k * n + j] }
                    t[i * n + j] = acc
                } }
                swap(&p, &t)
            }
            for i in 0..<n {
                var rs = 0.0, cs = 0.0
                for j in 0..<n { rs += abs(p[i * n + j]); cs += abs(p[j * n + i]) }
                fwd = max(fwd, rs); bwd = max(bwd, cs)
            }
        }
        return (fwd, bwd)
    }
}
