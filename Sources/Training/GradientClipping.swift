/// Global gradient-norm clipping (as `torch.nn.utils.clip_grad_norm_`).
public enum GradientClipping {
    /// L2 norm of `grads`, accumulated in Double. Non-finite when any gradient is NaN or ±∞.
    // grads: [count]
    public static func globalNorm(_ grads: UnsafePointer<Float>, count: Int) -> Double {
        var sum = 0.0
        var partial: Float = 0
        // Float partial sums over blocks of 256 keep the loop vectorisable; Double across blocks keeps accuracy.
        var i = 0
        while i < count {
            let end = min(count, i + 256)
            partial = 0
            for j in i..<end { partial += grads[j] * grads[j] }
            sum += Double(partial)
            i = end
        }
        return sum.squareRoot()
    }

    /// Scales `grads` so their global norm is at most `maxNorm`; returns the norm before clipping.
    /// The scale is `maxNorm / (norm + 1e-6)` when `norm > maxNorm`, as in PyTorch. A non-finite norm is
    /// returned without touching the gradients (the caller aborts). `maxNorm <= 0` disables clipping.
    // grads: [count]
    @discardableResult
    public static func clip(_ grads: UnsafeMutablePointer<Float>, count: Int, maxNorm: Double) -> Double {
        let norm = globalNorm(grads, count: count)
        guard norm.isFinite, maxNorm > 0, norm > maxNorm else { return norm }
        let scale = Float(maxNorm / (norm + 1e-6))
        for i in 0..<count { grads[i] *= scale }
        return norm
    }
}
