import Tensor

// The adapter term of one projection, forward and backward, on the Matmul kernels.
// Legend: N rows, I input features, O output features, r rank; adapter i = 7·layer + projection.
//   forward   hs = scale·(x Aᵀ) [N, r],  y += hs Bᵀ [N, O]
//   backward  dB += dyᵀ hs,  dh = scale·(dy B) [N, r],  dA += dhᵀ x,  dx += dh A
// Each is exact calculus of the forward; in Float the sums are those of sgemm (no extra reassociation
// beyond the kernels'), and `scale` is applied to the [N, r] intermediate, never to W.

extension LoRAAdapters {
    /// Training/scoring forward: y [N, O] += scale·(x Aᵀ) Bᵀ for projection `p` of block `l`, keeping
    /// scale·(x Aᵀ) for `backward`. x: [N, I] (the projection's input), y: its output (already holding x Wᵀ).
    func forward(_ p: LoRAProjection, layer l: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows N: Int) {
        let i = Self.index(p, layer: l), r = config.rank, (I, O) = shapes[i], (a, b) = pointers(i)
        let hs = stash.ensure(count * N * r) + i * N * r
        stashRows = N
        matmulForward(hs, x, a, N: N, I: I, O: r)
        scaleInPlace(hs, N * r, config.scale)
        matmulForward(y, hs, b, N: N, I: r, O: O, accumulate: true)
    }

    /// Decoding forward for a few rows (one token per sequence): y [N, O] += scale·(x Aᵀ) Bᵀ, through
    /// `matmulForwardFewRows`; keeps nothing for backward.
    func decodeForward(_ p: LoRAProjection, layer l: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows N: Int) {
        let i = Self.index(p, layer: l), r = config.rank, (I, O) = shapes[i], (a, b) = pointers(i)
        let h = scratch.ensure(N * r)
        matmulForwardFewRows(h, x, a, N: N, I: I, O: r)
        scaleInPlace(h, N * r, config.scale)
        matmulForwardFewRows(y, h, b, N: N, I: r, O: O, accumulate: true)
    }

    /// Backward of `forward` for the same rows: ACCUMULATES dA, dB into `grads` and dh A into dx [N, I];
    /// dy [N, O] is the gradient of the projection's output.
    func backward(_ p: LoRAProjection, layer l: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, rows N: Int) {
        precondition(stashRows == N, "LoRA backward for \(N) rows after a forward of \(stashRows)")
        let i = Self.index(p, layer: l), r = config.rank, (I, O) = shapes[i], (a, b) = pointers(i)
        let hs = stash.base! + i * N * r
        let dA = grads.view(aNames[i]).baseAddress!, dB = grads.view(bNames[i]).baseAddress!
        let dh = scratch.ensure(N * r)
        matmulBackwardWeight(dB, dy, hs, N: N, I: r, O: O)
        matmulBackwardInput(dh, dy, b, N: N, I: r, O: O, accumulate: false)
        scaleInPlace(dh, N * r, config.scale)
        matmulBackwardWeight(dA, dh, x, N: N, I: I, O: r)
        matmulBackwardInput(dx, dh, a, N: N, I: I, O: r, accumulate: true)
    }
}

/// p[0..<count] *= s.
@inline(__always)
private func scaleInPlace(_ p: UnsafeMutablePointer<Float>, _ count: Int, _ s: Float) {
    for j in 0..<count { p[j] *= s }
}
