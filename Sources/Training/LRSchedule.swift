#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linear warmup then cosine decay to `minRatio · peak`, indexed by optimizer step.
///
/// `lr(step:)` gives the rate for the update with 0-based index `step`:
/// - warmup (`step < warmup`): `peak · (step+1) / warmup`, so the last warmup step runs at the peak;
/// - decay: `min + ½(peak − min)(1 + cos(π·p))` with `p = (step − warmup) / (total − warmup)` clamped to [0, 1],
///   so step `warmup` runs at the peak and steps at or past `total` at the floor.
public struct LRSchedule: Sendable, Equatable {
    public var peak: Float
    public var minRatio: Float
    public var warmup: Int
    public var total: Int

    public init(peak: Float, minRatio: Float = 0.1, warmup: Int, total: Int) {
        self.peak = peak
        self.minRatio = minRatio
        self.warmup = max(0, warmup)
        self.total = total
    }

    public func lr(step: Int) -> Float {
        if step < warmup {
            return peak * Float(step + 1) / Float(warmup)
        }
        let floor = peak * minRatio
        let span = max(1, total - warmup)
        let p = min(1, max(0, Double(step - warmup) / Double(span)))
        return floor + Float(0.5 * (1 + cos(Double.pi * p))) * (peak - floor)
    }
}
