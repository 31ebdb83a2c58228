import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One contiguous run of parameters that the optimizer treats alike.
public struct OptimizerSegment: Sendable, Equatable {
    public let offset: Int
    public let count: Int
    /// Decoupled weight decay applies (matrices and embeddings); never norms or mHC α/bias.
    public let weightDecay: Bool

    public init(offset: Int, count: Int, weightDecay: Bool) {
        self.offset = offset
        self.count = count
        self.weightDecay = weightDecay
    }
}

/// AdamW (Loshchilov & Hutter) with decoupled weight decay, matching `torch.optim.AdamW`:
///
///     p ← p − lr·λ·p                     (only where the segment has weightDecay)
///     m ← β1·m + (1−β1)·g
///     v ← β2·v + (1−β2)·g²
///     p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
///
/// `t` counts applied updates (1 on the first). The moments live in one slab each, in the parameter
/// slab's layout, so a checkpoint can store them under the parameters' names.
public final class AdamW: @unchecked Sendable {
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    public let segments: [OptimizerSegment]
    public let count: Int
    /// First moment, same layout as the parameters.
    public let m: UnsafeMutableBufferPointer<Float>
    /// Second moment, same layout as the parameters.
    public let v: UnsafeMutableBufferPointer<Float>
    /// Number of updates applied so far (restored on resume).
    public var stepCount: Int = 0

    public init(count: Int, segments: [OptimizerSegment], beta1: Float = 0.9, beta2: Float = 0.95,
                eps: Float = 1e-8, weightDecay: Float = 0.1) {
        precondition(segments.allSatisfy { $0.offset >= 0 && $0.offset + $0.count <= count },
                     "optimizer segment outside the parameter slab")
        self.count = count
        self.segments = segments
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = .allocate(capacity: count)
        v = .allocate(capacity: count)
        m.initialize(repeating: 0)
        v.initialize(repeating: 0)
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// Clears moments and the step count.
    public func reset() {
        m.update(repeating: 0)
        v.update(repeating: 0)
        stepCount = 0
    }

    /// Applies one update to `params` from `grads` (both `count` floats, the optimizer's layout).
    // params, grads: [count]
    public func update(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, lr: Float) {
        stepCount += 1
        let t = Double(stepCount)
        let bc1 = Float(1 - pow(Double(beta1), t))
        let bc2 = Float(1 - pow(Double(beta2), t))
        let stepSize = lr / bc1
        let invSqrtBC2 = 1 / bc2.squareRoot()
        let b1 = beta1, b2 = beta2, e = eps
        let mp = m.baseAddress!, vp = v.baseAddress!
        for seg in segments {
            let decay: Float = seg.weightDecay ? 1 - lr * weightDecay : 1
            // Element-wise, so the result does not depend on how the range is split across threads.
            Parallel.forRanges(seg.count, grain: 1 << 15) { range in
                for i in (seg.offset + range.lowerBound)..<(seg.offset + range.upperBound) {
                    let g = grads[i]
                    let mi = b1 * mp[i] + (1 - b1) * g
                    let vi = b2 * vp[i] + (1 - b2) * g * g
                    mp[i] = mi
                    vp[i] = vi
                    params[i] = params[i] * decay - stepSize * mi / (vi.squareRoot() * invSqrtBC2 + e)
                }
            }
        }
    }
}
