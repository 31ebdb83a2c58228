import Tensor

extension MHCModel {
    /// Amax gain of the composite H_res product along depth (paper Fig. 3), from the last forward:
    /// for each token P = H_res(2L−1)···H_res(0); forward gain = max absolute row sum of P, backward
    /// gain = max absolute column sum; each the maximum over the tokens of the last batch
    /// (Tensor's mhcComposite*/mhcAmaxGain). (1, 1) when n = 1 or before any forward.
    public func amaxGains() -> (forward: Double, backward: Double) {
        let n = config.nStreams
        guard n > 1, let a = acts else { return (1, 1) }
        var composite = [Float](repeating: 0, count: a.N * n * n)
        return composite.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            mhcCompositeReset(composite: p, rows: a.N, streams: n)
            for s in 0..<(2 * config.nLayers) {
                mhcCompositeAccumulate(composite: p, hRes: a.hcRes[s], rows: a.N, streams: n)
            }
            return mhcAmaxGain(matrices: p, rows: a.N, streams: n)
        }
    }
}
